/**
 * Sparse (CSR) family, GPU-free part: the spec schema, words for the UI, shape checks and
 * parameter count (src/structured/sparse.ts adds projection and apply).
 */
import { z } from 'zod';
import { type FamilyMeta, SpecError } from './types';

/** A kept fraction of the entries, in (0, 1]. */
export const Density = z.number().gt(0).max(1);

export const SparseSpec = z.strictObject({ family: z.literal('sparse'), density: Density });
export type SparseSpec = z.infer<typeof SparseSpec>;

/** Kept entries of a rows × cols matrix at this density (at least one). */
export function sparseNnz(density: number, rows: number, cols: number): number {
  return Math.max(1, Math.round(density * rows * cols));
}

export function validateDensity(density: number): void {
  if (!(typeof density === 'number' && density > 0 && density <= 1))
    throw new SpecError('density', `density must be in (0, 1], got ${density}`);
}

export const sparseMeta: FamilyMeta<SparseSpec> = {
  name: 'sparse',
  label: (s) => `Sparse (${+(s.density * 100).toPrecision(3)}%)`,
  about:
    'Unstructured sparsity: keep only a fraction of the entries of W (here the largest in magnitude, as ' +
    'in magnitude pruning) and store them in compressed sparse row (CSR) form — values, column indices ' +
    'and row offsets. For a fixed number of kept entries, keeping the largest ones is the best ' +
    'approximation in Frobenius norm: the error is exactly the mass of what is dropped. The product ' +
    'costs 2·nnz flops per input row instead of 2·rows·cols, but irregular memory access means GPUs ' +
    'only win at high sparsity. Parameters count every stored 32-bit word: values and indices.',
  paper: {
    title: 'Learning both Weights and Connections for Efficient Neural Networks (Han et al., 2015)',
    url: 'https://arxiv.org/abs/1506.02626',
  },
  validate(spec, rows, cols) {
    validateDensity(spec.density);
    if (!(rows >= 1 && cols >= 1)) throw new SpecError('shape', `shape ${rows}×${cols} is not a matrix`);
  },
  paramCount: (spec, rows, cols) => 2 * sparseNnz(spec.density, rows, cols) + rows + 1,
};
