/**
 * SLoRA / NLoRA / IntTune (arXiv 2502.14482; TracyGuo2001/NLoRA; ALGORITHMS.md §1): ΔW = B·N·A.
 * - SLoRA: A, N Kaiming-uniform (fan-in in, r), B = 0 → step 0 is the base bit for bit. Trains A, N, B.
 * - NLoRA `released` (the released code): A = W[:r, :], B = W[:, :r], N = W[:r, :r], W not modified
 *   (so ΔW₀ = s·W[:, :r]·W[:r, :r]·W[:r, :] ≠ 0).
 * - NLoRA `nystrom` (project default): N = pinv(W[:r, :r]), so B·N·A is the Nyström approximation of W,
 *   and s·B·N·A is subtracted from W (like PiSSA) so step 0 reproduces the base.
 * - IntTune: the NLoRA init (either variant), only N trains (r² parameters).
 */
import { svdJacobi } from '../../linalg/jacobi';
import type { Tensor } from '../../tensor/tensor';
import type { AdapterContext, AdapterSpec, BaseLinear } from './adapter';
import { f32, kaimingUniform } from './adapter';
import { checkRank } from './lora';
import { ThreeFactorAdapter } from './three-factor';

/** Moore–Penrose pseudo-inverse of a k × k matrix (Jacobi SVD, cutoff max(σ)·k·ε). */
export function pinv(a: Float64Array, k: number): Float64Array {
  const { U, S, V } = svdJacobi(a, k, k);
  const tol = (S[0] ?? 0) * k * Number.EPSILON;
  const out = new Float64Array(k * k);
  for (let p = 0; p < k; p++) {
    if (S[p] <= tol) continue;
    const inv = 1 / S[p];
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) out[i * k + j] += V[i * k + p] * inv * U[j * k + p];
  }
  return out;
}

export function nloraFactors(
  base: BaseLinear,
  r: number,
  variant: 'released' | 'nystrom',
): { A: Float64Array; M: Float64Array; B: Float64Array } {
  const { out, in: inp, weight: W } = base;
  const A = new Float64Array(r * inp);
  const B = new Float64Array(out * r);
  const C = new Float64Array(r * r);
  for (let i = 0; i < r; i++) for (let j = 0; j < inp; j++) A[i * inp + j] = W[i * inp + j];
  for (let i = 0; i < out; i++) for (let j = 0; j < r; j++) B[i * r + j] = W[i * inp + j];
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) C[i * r + j] = W[i * inp + j];
  return { A: f32(A), M: f32(variant === 'nystrom' ? pinv(C, r) : C), B: f32(B) };
}

export async function createNlora(
  gpu: Tensor['gpu'],
  base: BaseLinear,
  spec: AdapterSpec,
  ctx: AdapterContext,
): Promise<ThreeFactorAdapter> {
  checkRank(spec, base);
  const r = spec.rank;
  if (spec.adapter === 'slora')
    return new ThreeFactorAdapter('slora', gpu, base, spec, {
      A: f32(kaimingUniform(ctx.rng, r * base.in, base.in)),
      M: f32(kaimingUniform(ctx.rng, r * r, r)),
      B: new Float64Array(base.out * r),
      train: { A: true, M: true, B: true },
      residual: false,
      middle: 'lora_N',
    });
  const variant = spec.variant ?? 'nystrom';
  const f = nloraFactors(base, r, variant);
  const only = spec.adapter === 'inttune';
  return new ThreeFactorAdapter(only ? 'inttune' : 'nlora', gpu, base, spec, {
    ...f,
    train: { A: !only, M: true, B: !only },
    residual: variant === 'nystrom',
    middle: 'lora_N',
  });
}
