/**
 * Orthogonal-projection family, GPU-free part: the spec schema, words for the UI, shape checks and
 * parameter count (src/structured/orthoproj.ts adds projection and apply).
 */
import { z } from 'zod';
import { checkRank } from './lowrank.spec';
import type { FamilyMeta } from './types';

export const OrthoProjSpec = z.strictObject({
  family: z.literal('orthoproj'),
  rank: z.number().int().min(1),
});
export type OrthoProjSpec = z.infer<typeof OrthoProjSpec>;

export const orthoprojMeta: FamilyMeta<OrthoProjSpec> = {
  name: 'orthoproj',
  label: (spec) => `Orthogonal projection (r = ${spec.rank})`,
  about:
    'An orthogonal projection P = U·Uᵀ keeps the part of every input that lies in an r-dimensional ' +
    'subspace spanned by the orthonormal columns of U and discards the rest; it is symmetric and ' +
    'idempotent (P² = P). Applied to a weight matrix as W·P, with U the top-r right singular vectors ' +
    'of W, it reproduces the rank-r truncated SVD, computed as two thin products (X·U)·(W·U)ᵀ. ' +
    'MatryoshkaKV compresses the keys and values of attention this way, with one trainable ' +
    'orthogonal projection per head whose leading columns give every smaller rank for free.',
  paper: {
    title: 'MatryoshkaKV: Adaptive KV Compression via Trainable Orthogonal Projection',
    url: 'https://arxiv.org/abs/2410.14731',
  },
  validate: (spec, rows, cols) => checkRank(spec.rank, rows, cols),
  paramCount: (spec, rows, cols) => spec.rank * (rows + cols),
};
