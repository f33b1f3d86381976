/**
 * FWSVD family, GPU-free part: the spec schema, words for the UI, shape checks and parameter count
 * (src/structured/fwsvd.ts adds projection and apply).
 */
import { z } from 'zod';
import { checkRank } from './lowrank.spec';
import { type FamilyMeta, SpecError } from './types';

export const FwsvdSpec = z.strictObject({
  family: z.literal('fwsvd'),
  rank: z.number().int().min(1),
  /** One importance per input feature (Fisher information); default: all equal (plain truncated SVD). */
  importance: z
    .array(z.number().nonnegative())
    .optional()
    .describe(
      'One importance per input feature (column of W), e.g. the Fisher information: the mean squared ' +
        'gradient of the loss over the weights reading that feature. Default: none, so every feature ' +
        'counts the same and the result is exactly the truncated SVD, i.e. the same as lowrank at ' +
        'this rank (its label then says "unweighted = low rank").',
    ),
});
export type FwsvdSpec = z.infer<typeof FwsvdSpec>;

export function validateFwsvd(spec: FwsvdSpec, rows: number, cols: number): void {
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

export const fwsvdMeta: FamilyMeta<FwsvdSpec> = {
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
  validate: validateFwsvd,
  paramCount: (spec, rows, cols) => spec.rank * (rows + cols),
};
