/**
 * Sparse + low-rank family, GPU-free part: the spec schema, words for the UI, shape checks and
 * parameter count (src/structured/sparse-lowrank.ts adds projection and apply).
 */
import { z } from 'zod';
import { checkRank } from './lowrank.spec';
import { Density, validateDensity } from './sparse.spec';
import { type FamilyMeta, SpecError } from './types';

export const SparseLowRankSpec = z.strictObject({
  family: z.literal('sparse+lowrank'),
  rank: z.number().int().min(1),
  density: Density,
  rounds: z.number().int().min(1).default(5),
});
export type SparseLowRankSpec = z.infer<typeof SparseLowRankSpec>;

/** Entries of S (at least one). */
export function slNnz(density: number, rows: number, cols: number): number {
  return Math.max(1, Math.floor(density * rows * cols));
}

function validate(spec: SparseLowRankSpec, rows: number, cols: number): void {
  checkRank(spec.rank, rows, cols);
  validateDensity(spec.density);
  if (!Number.isInteger(spec.rounds) || spec.rounds < 1)
    throw new SpecError('rounds', `rounds must be a positive integer, got ${spec.rounds}`);
}

export const sparseLowRankMeta: FamilyMeta<SparseLowRankSpec> = {
  name: 'sparse+lowrank',
  label: (s) => `Sparse + low-rank (r = ${s.rank}, ${+(s.density * 100).toPrecision(3)}%)`,
  about:
    'Sparse plus low-rank (SLTrain): W ≈ B·A + S, a rank-r product for the smooth, global part of W and a ' +
    'sparse S for the few large, local entries a low-rank product cannot reach. SLTrain trains B, A and ' +
    'the values of S from scratch on a random support fixed at initialisation (at init W = S); to project ' +
    'a given W we alternate a truncated SVD of W − S with keeping the largest entries of W − L, which never ' +
    'increases the error. The product is two thin GEMMs plus one sparse product — W is never formed. ' +
    'Parameters count every stored 32-bit word, the indices of S included.',
  paper: {
    title:
      'SLTrain: a sparse plus low-rank approach for parameter and memory efficient pretraining (Han et al., 2024)',
    url: 'https://arxiv.org/abs/2406.02214',
  },
  validate,
  paramCount: (spec, rows, cols) =>
    spec.rank * (rows + cols) + 2 * slNnz(spec.density, rows, cols) + rows + 1,
};
