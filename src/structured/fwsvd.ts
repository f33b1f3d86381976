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
import { checkRank, factorsFromSvd, LowRankMatrix, randomLowRank, topSingular } from './lowrank';
import { registerFamily } from './registry';
import type { SpecOf } from './specs';
import { type ProjectOptions, SpecError } from './types';

type FwsvdSpec = SpecOf<'fwsvd'>;

export const FWSVD_EPS = 1e-5;

/** d_j = √(importance_j / max + 1e-5); all equal when importance is absent or all zero. */
export function fwsvdWeights(importance: readonly number[] | undefined, n: number): Float64Array {
  const d = new Float64Array(n);
  let max = 0;
  if (importance) for (const v of importance) max = Math.max(max, v);
  for (let j = 0; j < n; j++) d[j] = Math.sqrt((importance && max > 0 ? importance[j] / max : 1) + FWSVD_EPS);
  return d;
}

function validate(spec: FwsvdSpec, rows: number, cols: number): void {
  checkRank(spec.rank, rows, cols);
  const imp = spec.importance;
  if (imp === undefined) return;
  if (!Array.isArray(imp)) throw new SpecError('importance', 'importance must be a list of numbers');
  if (imp.length !== cols)
    throw new SpecError(
      'importance',
      `importance needs one value per input feature: ${cols} for a ${rows} × ${cols} matrix, got ${imp.length}`,
    );
  imp.forEach((v, j) => {
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new SpecError('importance', `importance[${j}] is not a finite number: ${String(v)}`);
    if (v < 0)
      throw new SpecError('importance', `importance[${j}] is negative (${v}); Fisher information is ≥ 0`);
  });
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

registerFamily({
  name: 'fwsvd',
  // Without importances FWSVD is the truncated SVD: say so wherever the label shows.
  label: (spec) => `FWSVD (r = ${spec.rank}, ${spec.importance ? 'weighted' : 'unweighted = low rank'})`,
  about:
    'Fisher-weighted SVD keeps the low-rank layout W ≈ B·A but spends its rank where the task needs ' +
    'it. Each input feature gets an importance (the Fisher information: the mean squared gradient of ' +
    'the loss with respect to the weights reading that feature), and the factorisation minimises the ' +
    'importance-weighted error instead of the plain one. The optimum is closed-form: scale the columns ' +
    'of W by the square roots of the normalised importances, take the truncated SVD, and undo the ' +
    'scaling. With equal importances it is exactly the truncated SVD; with skewed ones it trades ' +
    'plain reconstruction error for accuracy on the features that matter. The importances come ' +
    'from the config (`importance`, one per input feature); without them (the default, and always ' +
    'in the playground, which has no task gradients to compute them from) every feature counts the ' +
    'same and FWSVD gives exactly the Low rank result at the same rank.',
  paper: {
    title: 'Language model compression with weighted low-rank factorization (FWSVD)',
    url: 'https://arxiv.org/abs/2207.00112',
  },
  validate,
  paramCount: (spec, rows, cols) => spec.rank * (rows + cols),
  project: projectFwsvd,
  random: (gpu, rows, cols, spec, { rng }) => randomLowRank(gpu, rows, cols, spec.rank, rng, 'fwsvd'),
});
