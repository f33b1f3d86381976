/**
 * N:M sparse family, GPU-free part: the spec schema, the packed index layout, words for the UI,
 * shape checks and parameter count (src/structured/nm-sparse.ts adds projection and apply).
 */
import { z } from 'zod';
import { type FamilyMeta, SpecError } from './types';

export const NMSparseSpec = z.strictObject({
  family: z.literal('nm-sparse'),
  n: z.number().int().min(1).default(2),
  m: z.number().int().min(1).default(4),
});
export type NMSparseSpec = z.infer<typeof NMSparseSpec>;

/** Largest group size m (offsets are stored in 16 bits). */
export const MAX_M = 1 << 16;

/**
 * Packed in-group indices: `bits` = 2^lbits bits per offset (the smallest power of two that holds
 * m − 1), `perWord` = 2^lper offsets per u32 word.
 */
export function indexLayout(m: number): { bits: number; lbits: number; perWord: number; lper: number } {
  let lbits = 0;
  while (1 << (1 << lbits) < m) lbits++;
  const bits = 1 << lbits;
  const lper = 5 - lbits;
  return { bits, lbits, perWord: 1 << lper, lper };
}

export function validateNM(n: number, m: number, cols: number): void {
  if (!Number.isInteger(m) || m < 1 || m > MAX_M)
    throw new SpecError('m', `m must be an integer in [1, ${MAX_M}], got ${m}`);
  if (!Number.isInteger(n) || n < 1) throw new SpecError('n', `n must be a positive integer, got ${n}`);
  if (n > m) throw new SpecError('n', `n (${n}) must not exceed m (${m}): keep n of every m inputs`);
  if (!Number.isInteger(cols) || cols < 1 || cols % m !== 0)
    throw new SpecError('m', `m (${m}) must divide the number of columns (inputs), ${cols}`);
}

export const nmSparseMeta: FamilyMeta<NMSparseSpec> = {
  name: 'nm-sparse',
  label: (s) => `N:M sparse (${s.n}:${s.m})`,
  about:
    'Semi-structured (N:M) sparsity: in every group of m consecutive inputs of each row keep only n ' +
    'entries — here the n largest in magnitude, the best choice in Frobenius norm for that pattern. ' +
    'Every row keeps the same number of entries at predictable places, so the indices are tiny ' +
    '(2 bits per kept value for 2:4) and the work is perfectly balanced. 2:4 is the pattern NVIDIA ' +
    'sparse tensor cores (Ampere and later) accelerate, about 2× over dense for the same shape. ' +
    'Parameters count every stored 32-bit word: kept values plus the words of packed indices.',
  paper: {
    title: 'Accelerating Sparse Deep Neural Networks (Mishra et al., 2021)',
    url: 'https://arxiv.org/abs/2104.08378',
  },
  validate(spec, rows, cols) {
    if (!(Number.isInteger(rows) && rows >= 1)) throw new SpecError('shape', `rows must be ≥ 1, got ${rows}`);
    validateNM(spec.n, spec.m, cols);
  },
  paramCount(spec, rows, cols) {
    const kept = rows * (cols / spec.m) * spec.n;
    return kept + Math.ceil(kept / indexLayout(spec.m).perWord);
  },
};
