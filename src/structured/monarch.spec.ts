/**
 * Monarch family, GPU-free part: the spec schema, the factor shapes a spec gives (the rectangular
 * convention of src/structured/monarch.ts), words for the UI, shape checks and parameter count.
 */
import { z } from 'zod';
import { type FamilyMeta, SpecError } from './types';

export const MonarchSpec = z.strictObject({
  family: z.literal('monarch'),
  /** m1, the number of blocks of the first factor R; default: the divisor of n closest to √n. */
  blocks: z.number().int().min(1).optional(),
});
export type MonarchSpec = z.infer<typeof MonarchSpec>;

/** W [rows, cols] = L·P·R: R has m1 blocks of m2 × P, L has m2 blocks of Q × m1. */
export interface MonarchShape {
  rows: number;
  cols: number;
  m1: number;
  m2: number;
  P: number;
  Q: number;
}

/** The divisor of n closest to target (ties: the smaller). */
function closestDivisor(n: number, target: number): number {
  let best = 1;
  for (let d = 1; d <= n; d++) if (n % d === 0 && Math.abs(d - target) < Math.abs(best - target)) best = d;
  return best;
}

/** Shape of a rows × cols Monarch with m1 R-blocks (default: the divisor of cols closest to √cols). */
export function monarchShape(rows: number, cols: number, m1?: number): MonarchShape {
  const b = m1 ?? closestDivisor(cols, Math.sqrt(cols));
  const P = cols / b;
  const m2 = rows === cols ? P : closestDivisor(rows, P);
  return { rows, cols, m1: b, m2, P, Q: rows / m2 };
}

function validate(spec: MonarchSpec, _rows: number, cols: number): void {
  const b = spec.blocks;
  if (b === undefined) return;
  if (!Number.isInteger(b) || b < 1)
    throw new SpecError('blocks', `blocks (m1) must be a positive integer, got ${b}`);
  if (cols % b !== 0)
    throw new SpecError(
      'blocks',
      `blocks (m1) = ${b} must divide the input size cols = ${cols} (the first factor has m1 blocks of cols / m1 inputs)`,
    );
}

/** The factor shapes a spec gives for a rows × cols matrix; throws SpecError naming the field. */
export function monarchShapeOf(spec: MonarchSpec, rows: number, cols: number): MonarchShape {
  validate(spec, rows, cols);
  return monarchShape(rows, cols, spec.blocks);
}

export const monarchMeta: FamilyMeta<MonarchSpec> = {
  name: 'monarch',
  label: (spec) => `Monarch (${spec.blocks === undefined ? 'm1 ≈ √n' : `m1 = ${spec.blocks}`})`,
  about:
    'A Monarch matrix is a product of two block-diagonal matrices with a fixed "transpose" permutation ' +
    'between them (and after them): the first factor mixes inside m1 groups of inputs, the permutation ' +
    'deals the results out so that the second factor mixes across groups. With m1 = m2 = √n it stores and ' +
    'multiplies 2n√n numbers instead of n², yet it can express the FFT, convolutions and every butterfly ' +
    'matrix. Every entry is a product w2·w1, so the best Monarch approximation of a dense W is found in ' +
    'closed form: a rank-1 SVD of each of the m1·m2 slices that partition W.',
  paper: {
    title: 'Monarch: Expressive Structured Matrices for Efficient and Accurate Training',
    url: 'https://arxiv.org/abs/2204.00595',
  },
  validate,
  paramCount: (spec, rows, cols) => {
    const s = monarchShapeOf(spec, rows, cols);
    return s.m1 * s.m2 * s.P + s.m2 * s.Q * s.m1;
  },
};
