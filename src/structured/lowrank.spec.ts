/**
 * Low-rank family, GPU-free part: the spec schema, words for the UI, shape checks and parameter
 * count (src/structured/lowrank.ts adds projection and apply).
 */
import { z } from 'zod';
import { type FamilyMeta, SpecError } from './types';

export const LowRankSpec = z.strictObject({
  family: z.literal('lowrank'),
  rank: z.number().int().min(1),
  /** exact: Jacobi SVD on the CPU in f64; randomized: seeded Halko–Martinsson–Tropp; auto picks by size. */
  method: z.enum(['auto', 'exact', 'randomized']).default('auto'),
  oversample: z.number().int().min(0).default(10),
  niter: z.number().int().min(0).default(4),
});
export type LowRankSpec = z.infer<typeof LowRankSpec>;

/** 1 ≤ rank ≤ min(rows, cols) (shared by every rank-r family). */
export function checkRank(rank: unknown, rows: number, cols: number): void {
  if (!Number.isInteger(rank) || (rank as number) < 1)
    throw new SpecError('rank', `rank must be a positive integer, got ${String(rank)}`);
  if ((rank as number) > Math.min(rows, cols))
    throw new SpecError(
      'rank',
      `rank ${rank} is larger than min(out, in) = ${Math.min(rows, cols)} for a ${rows} × ${cols} matrix`,
    );
}

export function validateLowRank(spec: LowRankSpec, rows: number, cols: number): void {
  checkRank(spec.rank, rows, cols);
  if (spec.method !== undefined && !['auto', 'exact', 'randomized'].includes(spec.method))
    throw new SpecError('method', `method must be 'auto', 'exact' or 'randomized', got '${spec.method}'`);
  if (spec.oversample !== undefined && !(Number.isInteger(spec.oversample) && spec.oversample >= 0))
    throw new SpecError('oversample', `oversample must be an integer ≥ 0, got ${spec.oversample}`);
  if (spec.niter !== undefined && !(Number.isInteger(spec.niter) && spec.niter >= 0))
    throw new SpecError('niter', `niter must be an integer ≥ 0, got ${spec.niter}`);
}

export const lowrankMeta: FamilyMeta<LowRankSpec> = {
  name: 'lowrank',
  label: (spec) => `Low rank (r = ${spec.rank})`,
  about:
    'A low-rank matrix W ≈ B·A stores an out × r factor B and an r × in factor A, so r·(in + out) ' +
    'numbers instead of in·out, and applies as two thin products (X·Aᵀ)·Bᵀ. The best rank-r ' +
    'approximation in Frobenius and spectral norm is the truncated SVD (Eckart–Young): keep the r ' +
    'largest singular values and their vectors; the error is exactly the energy of the discarded ' +
    'singular values. Large matrices use the randomized SVD of Halko, Martinsson and Tropp, which ' +
    'sketches W with a seeded Gaussian matrix and refines with power iterations. This is the layout ' +
    'of LoRA adapters (B·A) and of PiSSA-style initialisations.',
  paper: {
    title:
      'Halko, Martinsson, Tropp: Finding structure with randomness (2011); Eckart–Young (1936) for the optimum',
    url: 'https://arxiv.org/abs/0909.4061',
  },
  validate: validateLowRank,
  paramCount: (spec, rows, cols) => spec.rank * (rows + cols),
};
