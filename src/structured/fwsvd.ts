/**
 * FWSVD (Fisher-weighted SVD, arXiv 2207.00112): a low-rank W ≈ B·A chosen to minimise the
 * importance-weighted error ‖(W − Ŵ)·D‖_F instead of the plain one, D = diag(d) over the INPUT
 * features with d_j = √(importance_j / max(importance) + 1e-5) (ALGORITHMS.md §1).
 *
 * The optimum is closed-form: Ŵ = trunc_r(W·D)·D⁻¹ (substitute W' = W·D; Eckart–Young on W'). We
 * store it in the low-rank layout with √σ split to both sides:
 *     B = U_r·√Σ_r (out × r),   A = √Σ_r·V_rᵀ·D⁻¹ (r × in),   where W·D = U Σ Vᵀ,
 * so apply, backward, toDense and flops are exactly lowrank's (a LowRankMatrix with kind 'fwsvd').
 * Constant importance gives D = c·I and reduces exactly to the truncated SVD. With no importance,
 * or all importances 0, every feature counts the same (plain truncated SVD).
 */
import { mul } from '../tensor/ops';
import { Tensor, tidy } from '../tensor/tensor';
import { matrixShape } from './common';
import { type FwsvdSpec, fwsvdMeta, validateFwsvd as validate } from './fwsvd.spec';
import { factorsFromSvd, LowRankMatrix, randomLowRank, topSingular } from './lowrank';
import type { FamilyDef } from './registry';
import type { ProjectOptions } from './types';

export const FWSVD_EPS = 1e-5;

/** d_j = √(importance_j / max + 1e-5); all equal when importance is absent or all zero. */
export function fwsvdWeights(importance: readonly number[] | undefined, n: number): Float64Array {
  const d = new Float64Array(n);
  let max = 0;
  if (importance) for (const v of importance) max = Math.max(max, v);
  for (let j = 0; j < n; j++) d[j] = Math.sqrt((importance && max > 0 ? importance[j] / max : 1) + FWSVD_EPS);
  return d;
}

export async function projectFwsvd(
  W: Tensor,
  spec: FwsvdSpec,
  opts: ProjectOptions = {},
): Promise<LowRankMatrix> {
  const { rows: m, cols: n } = matrixShape(W, 'fwsvd.project');
  validate(spec, m, n);
  const d = fwsvdWeights(spec.importance, n);
  // W·D: scale the columns (a suffix broadcast of d over the rows).
  const wd = tidy(() => mul(W, Tensor.fromArray(W.gpu, d, [n])));
  let svd: Awaited<ReturnType<typeof topSingular>>;
  try {
    svd = await topSingular(wd, spec.rank, { method: 'auto', rng: opts.rng });
  } finally {
    wd.dispose();
  }
  const { B, A } = factorsFromSvd(
    svd,
    d.map((v) => 1 / v),
  );
  return new LowRankMatrix(B, A, 'fwsvd');
}

export const fwsvdFamily: FamilyDef<'fwsvd'> = {
  ...fwsvdMeta,
  project: projectFwsvd,
  random: (gpu, rows, cols, spec, { rng }) => randomLowRank(gpu, rows, cols, spec.rank, rng, 'fwsvd'),
};
