/**
 * Dense × N:M sparse family (DSFormer reading), GPU-free part: the spec schema, words for the UI,
 * shape checks and parameter count (src/structured/dense-sparse.ts adds projection and apply).
 */
import { z } from 'zod';
import { indexLayout } from './nm-sparse.spec';
import { type FamilyMeta, SpecError } from './types';

const posInt = z.number().int().min(1);

export const DenseSparseSpec = z.strictObject({
  family: z.literal('dense-sparse'),
  /** k, the inner size of W ≈ D·S (D out × k, S k × in). */
  rank: posInt,
  /** N:M pattern of S along its inputs (m ≤ 32). */
  n: posInt.default(2),
  m: posInt.default(4),
  /** Alternating least-squares rounds of the projection. */
  rounds: z.number().int().min(0).max(50).default(5),
});
export type DenseSparseSpec = z.infer<typeof DenseSparseSpec>;

/** Largest m of S's N:M pattern (the mask kernel keeps a group in registers). */
export const DS_MAX_M = 32;

/** Checks k, n, m against a rows × cols matrix; SpecError naming the field. */
export function denseSparseDims(n: number, m: number, cols: number, k: number, rows: number): void {
  if (!Number.isInteger(k) || k < 1)
    throw new SpecError('rank', `rank (k) must be a positive integer, got ${k}`);
  if (k > Math.min(rows, cols))
    throw new SpecError('rank', `rank (k = ${k}) must not exceed min(out, in) = ${Math.min(rows, cols)}`);
  if (!Number.isInteger(m) || m < 1 || m > DS_MAX_M)
    throw new SpecError('m', `m must be an integer in [1, ${DS_MAX_M}], got ${m}`);
  if (!Number.isInteger(n) || n < 1 || n > m)
    throw new SpecError('n', `n must be an integer in [1, m = ${m}], got ${n}`);
  if (cols % m !== 0)
    throw new SpecError('m', `m (${m}) must divide the number of columns (inputs), ${cols}`);
}

/** D (rows × k) plus S's kept values and packed N:M indices. */
export function denseSparseParams(rows: number, cols: number, k: number, n: number, m: number): number {
  const kept = k * (cols / m) * n;
  const idx = n === m ? 0 : Math.ceil(kept / indexLayout(m).perWord);
  return rows * k + kept + idx;
}

export const denseSparseMeta: FamilyMeta<DenseSparseSpec> = {
  name: 'dense-sparse',
  label: (s) => `Dense × N:M sparse (k = ${s.rank}, ${s.n}:${s.m})`,
  about:
    'DSFormer-style factorisation W ≈ D·S: a small dense D (out × k) times a semi-structured sparse S ' +
    '(k × in, n of every m consecutive inputs kept). DSFormer publishes no code, so this is our ' +
    'reading: S is a dense latent whose N:M mask is taken in the forward pass and gradients pass ' +
    'straight through the mask (supports can move while training); the projection starts from the ' +
    'truncated SVD and alternates least squares for D with N:M-projected least squares for S. ' +
    'The GPU product here forms the masked S densely (it does not yet exploit the sparsity).',
  paper: {
    title: 'DSFormer: Effective Compression of Text-Transformers by Dense-Sparse Weight Factorization',
    url: 'https://arxiv.org/abs/2312.13211',
  },
  validate(spec, rows, cols) {
    if (!(Number.isInteger(rows) && rows >= 1)) throw new SpecError('shape', `rows must be ≥ 1, got ${rows}`);
    denseSparseDims(spec.n, spec.m, cols, spec.rank, rows);
  },
  paramCount(spec, rows, cols) {
    return denseSparseParams(rows, cols, spec.rank, spec.n, spec.m);
  },
};
