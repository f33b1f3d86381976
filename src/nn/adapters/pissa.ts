/**
 * PiSSA (arXiv 2404.02948; peft LoraLayer.pissa_init; ALGORITHMS.md §1). W = U Σ Vᵀ, S_r = Σ_r / s,
 *   A = diag(√S_r)·V_rᵀ,  B = U_r·diag(√S_r),  so s·B·A = U_r Σ_r V_rᵀ,
 * and the frozen base is the residual W_res = W − s·B·A, computed in f64 from the f32 factors the GPU
 * holds, so step 0 reproduces the base up to one f32 rounding of W_res even when the SVD is inexact.
 * `svd: 'exact'` is the one-sided Jacobi SVD (src/linalg), `'randomized'` the seeded randomized SVD with
 * q = r (no oversampling, as peft's pissa_niter_K) and `niter` power iterations.
 *
 * Every residual init converts to a plain LoRA on the ORIGINAL W (peft subtract_mutated_init):
 *   W_res + s·B·A = W + s·(B·A − B₀·A₀) = W + s·[B | −B₀]·[A ; A₀],
 * a rank-2r LoRA with α doubled (√2·α under rsLoRA) so that its scale is still s.
 */
import { svdJacobi } from '../../linalg/jacobi';
import { randomizedSvd } from '../../linalg/rsvd';
import { Tensor } from '../../tensor/tensor';
import type { AdapterContext, AdapterName, AdapterSpec, BaseLinear, LoraForm } from './adapter';
import { f32, mm, read64, scaling } from './adapter';
import { checkRank, TwoFactorAdapter } from './lora';

/** A two-factor adapter whose init moved part of W into the factors (W_frozen = W − s·B₀·A₀). */
export class ResidualTwoFactor extends TwoFactorAdapter {
  readonly method: AdapterName;
  readonly A0: Float64Array;
  readonly B0: Float64Array;
  constructor(
    method: AdapterName,
    gpu: Tensor['gpu'],
    base: BaseLinear,
    spec: AdapterSpec,
    A0: Float64Array,
    B0: Float64Array,
  ) {
    const s = scaling(spec.rank, spec.alpha ?? spec.rank, spec.rslora === true);
    super(gpu, base, spec, { A: A0, B: B0, frozen: residual(base, B0, A0, s, spec.rank) });
    this.method = method;
    this.A0 = A0;
    this.B0 = B0;
  }

  override async loraForm(): Promise<LoraForm> {
    return toOriginal(
      await read64(this.A),
      await read64(this.B),
      this.A0,
      this.B0,
      this.rank,
      this.alpha,
      this.rslora,
      this.outFeatures,
      this.inFeatures,
    );
  }
}

/** W − s·B·A in f64 (B out × r, A r × in). */
export function residual(
  base: BaseLinear,
  B: Float64Array,
  A: Float64Array,
  s: number,
  r: number,
): Float64Array {
  const ba = mm(B, A, base.out, r, base.in);
  const w = new Float64Array(base.out * base.in);
  for (let i = 0; i < w.length; i++) w[i] = base.weight[i] - s * ba[i];
  return w;
}

/** [B | −B₀], [A ; A₀], rank 2r, α doubled (√2·α under rsLoRA): the same scale s on the original W. */
export function toOriginal(
  A: Float64Array,
  B: Float64Array,
  A0: Float64Array,
  B0: Float64Array,
  r: number,
  alpha: number,
  rslora: boolean,
  out: number,
  inp: number,
): LoraForm {
  const A2 = new Float64Array(2 * r * inp);
  A2.set(A, 0);
  A2.set(A0, r * inp);
  const B2 = new Float64Array(out * 2 * r);
  for (let i = 0; i < out; i++)
    for (let k = 0; k < r; k++) {
      B2[i * 2 * r + k] = B[i * r + k];
      B2[i * 2 * r + r + k] = -B0[i * r + k];
    }
  const alpha2 = rslora ? Math.SQRT2 * alpha : 2 * alpha;
  return { r: 2 * r, alpha: alpha2, rslora, scale: scaling(2 * r, alpha2, rslora), A: A2, B: B2 };
}

/** The top-r SVD of W as U (out × r), S (r), V (in × r), exact or seeded randomized. */
export async function topSvd(
  gpu: Tensor['gpu'],
  base: BaseLinear,
  r: number,
  spec: AdapterSpec,
  ctx: AdapterContext,
): Promise<{ U: Float64Array; S: Float64Array; V: Float64Array }> {
  const { out, in: inp } = base;
  if ((spec.svd ?? 'exact') === 'exact') {
    const full = svdJacobi(Float64Array.from(base.weight), out, inp);
    const k = full.k;
    const U = new Float64Array(out * r);
    const V = new Float64Array(inp * r);
    for (let i = 0; i < out; i++) for (let j = 0; j < r; j++) U[i * r + j] = full.U[i * k + j];
    for (let i = 0; i < inp; i++) for (let j = 0; j < r; j++) V[i * r + j] = full.V[i * k + j];
    return { U, S: full.S.slice(0, r), V };
  }
  const W = Tensor.fromArray(gpu, Float32Array.from(base.weight), [out, inp]);
  try {
    const res = await randomizedSvd(W, r, { oversample: 0, niter: spec.niter ?? 4, rng: ctx.rng });
    const U = await read64(res.U);
    const V = await read64(res.V);
    res.U.dispose();
    res.V.dispose();
    return { U, S: res.S.slice(0, r), V };
  } finally {
    W.dispose();
  }
}

/** PiSSA's factors (f32-rounded): A = diag(√(Σ_r/s))·V_rᵀ, B = U_r·diag(√(Σ_r/s)). */
export function pissaFactors(
  U: Float64Array,
  S: Float64Array,
  V: Float64Array,
  out: number,
  inp: number,
  r: number,
  s: number,
): { A: Float64Array; B: Float64Array } {
  const A = new Float64Array(r * inp);
  const B = new Float64Array(out * r);
  for (let k = 0; k < r; k++) {
    const q = Math.sqrt(S[k] / s);
    for (let j = 0; j < inp; j++) A[k * inp + j] = q * V[j * r + k];
    for (let i = 0; i < out; i++) B[i * r + k] = U[i * r + k] * q;
  }
  return { A: f32(A), B: f32(B) };
}

export async function createPissa(
  gpu: Tensor['gpu'],
  base: BaseLinear,
  spec: AdapterSpec,
  ctx: AdapterContext,
): Promise<ResidualTwoFactor> {
  checkRank(spec, base);
  if (spec.niter !== undefined && (!Number.isInteger(spec.niter) || spec.niter < 0))
    throw new Error(`pissa: niter must be a non-negative integer, got ${spec.niter}`);
  const r = spec.rank;
  const s = scaling(r, spec.alpha ?? r, spec.rslora === true);
  const { U, S, V } = await topSvd(gpu, base, r, spec, ctx);
  const { A, B } = pissaFactors(U, S, V, base.out, base.in, r, s);
  return new ResidualTwoFactor('pissa', gpu, base, spec, A, B);
}
