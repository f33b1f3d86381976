/**
 * LoRA-XS and LoRA-SB (arXiv 2405.17604, 2411.19557; RaghavSinghal10/lora-sb; ALGORITHMS.md §1):
 * ΔW = B·R·A with B (out × r) and A (r × in) frozen, only R (r × r) trains (r² parameters).
 * - LoRA-XS: B = U_r, A = Σ_r·V_rᵀ (truncated SVD of W), R ~ N(0, 1e-5²). W not modified.
 * - LoRA-SB: G = ∂L/∂W accumulated over a few batches (ctx.grad), G̃ = −η·sign(G) (η = ctx.lr),
 *   rank-r SVD of G̃ → B = U_r, R = diag(Σ_r)/s, A = V_rᵀ; W not modified, so the model starts as
 *   W + trunc_r(G̃). BᵀB = I and A·Aᵀ = I, and neither ever changes.
 */
import { svdJacobi } from '../../linalg/jacobi';
import type { Tensor } from '../../tensor/tensor';
import type { AdapterContext, AdapterSpec, BaseLinear } from './adapter';
import { f32, scaling } from './adapter';
import { checkRank } from './lora';
import { ThreeFactorAdapter } from './three-factor';

function topR(a: Float64Array, m: number, n: number, r: number) {
  const { U, S, V, k } = svdJacobi(a, m, n);
  const Ur = new Float64Array(m * r);
  const Vt = new Float64Array(r * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) Ur[i * r + j] = U[i * k + j];
  for (let j = 0; j < r; j++) for (let i = 0; i < n; i++) Vt[j * n + i] = V[i * k + j];
  return { Ur, S: S.slice(0, r), Vt };
}

export async function createLoraXs(
  gpu: Tensor['gpu'],
  base: BaseLinear,
  spec: AdapterSpec,
  ctx: AdapterContext,
): Promise<ThreeFactorAdapter> {
  checkRank(spec, base);
  const { out, in: inp } = base;
  const r = spec.rank;
  if (spec.adapter === 'lora-xs') {
    const { Ur, S, Vt } = topR(Float64Array.from(base.weight), out, inp, r);
    const A = new Float64Array(r * inp);
    for (let k = 0; k < r; k++) for (let j = 0; j < inp; j++) A[k * inp + j] = S[k] * Vt[k * inp + j];
    return new ThreeFactorAdapter('lora-xs', gpu, base, spec, {
      A: f32(A),
      M: f32(ctx.rng.normals(r * r, 1e-5)),
      B: f32(Ur),
      train: { A: false, M: true, B: false },
      residual: false,
      middle: 'lora_R',
    });
  }
  const g = ctx.grad;
  if (!g || g.length !== out * inp)
    throw new Error(`lora-sb: needs the base weight's accumulated gradient (ctx.grad, ${out}×${inp} values)`);
  const eta = ctx.lr;
  if (!(eta !== undefined && eta > 0))
    throw new Error(`lora-sb: needs ctx.lr > 0 (the first step's lr), got ${eta}`);
  const gt = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) gt[i] = -eta * Math.sign(g[i]);
  const s = scaling(r, spec.alpha ?? r, spec.rslora === true);
  const { Ur, S, Vt } = topR(gt, out, inp, r);
  const R = new Float64Array(r * r);
  for (let k = 0; k < r; k++) R[k * r + k] = S[k] / s;
  return new ThreeFactorAdapter('lora-sb', gpu, base, spec, {
    A: f32(Vt),
    M: f32(R),
    B: f32(Ur),
    train: { A: false, M: true, B: false },
    residual: false,
    middle: 'lora_R',
  });
}
