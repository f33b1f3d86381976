/**
 * Unstructured sparse family (magnitude pruning, Han et al. 2015): W is kept as CSR with the
 * round(density · rows · cols) largest-magnitude entries (at least one).
 *
 * The shared sparse machinery (SparsePattern, sparseApply, packTransposed, sparseToDense) lives in
 * src/ops/sparse-apply.ts.
 *
 * Parameter convention of the sparse families: `params` counts the 32-bit words the
 * representation stores — every f32 value AND every u32 index word (CSR: nnz values, nnz column
 * indices, rows + 1 row offsets). The CSC copy built for the backward pass is a derived cache and
 * is not counted.
 */

import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { SparsePattern, sparseApply, sparseToDense } from '../ops/sparse-apply';
import type { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { matrixShape } from './common';
import type { FamilyDef } from './registry';
import { sparseMeta, sparseNnz } from './sparse.spec';
import type { ProjectOptions, StructuredMatrix } from './types';

// ------------------------------------------------------------------ support selection (CPU)

/**
 * Flat indices (sorted ascending) of the k largest |w|; ties are broken by the smaller flat
 * index (row-major position), so the choice is deterministic.
 */
export function topKFlat(w: ArrayLike<number>, k: number): Uint32Array {
  const n = w.length;
  if (!(k >= 0 && k <= n)) throw new RangeError(`topKFlat: cannot keep ${k} of ${n} entries`);
  const out = new Uint32Array(k);
  if (k === 0) return out;
  const mag = Float64Array.from(w, Math.abs);
  const sorted = Float64Array.from(mag).sort();
  const t = sorted[n - k]; // the k-th largest magnitude
  let above = 0;
  for (let i = 0; i < n; i++) if (mag[i] > t) above++;
  let ties = k - above; // entries equal to t that fit, taken by smallest flat index
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (mag[i] > t) out[o++] = i;
    else if (mag[i] === t && ties > 0) {
      out[o++] = i;
      ties--;
    }
  }
  return out;
}

/** k sorted distinct integers from [0, n), uniformly without replacement (sparse Fisher–Yates). */
export function sampleWithoutReplacement(n: number, k: number, rng: Rng): Uint32Array {
  const swapped = new Map<number, number>();
  const out = new Uint32Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const vj = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    out[i] = vj;
  }
  return out.sort();
}

// ------------------------------------------------------------------ the family

export class SparseMatrix implements StructuredMatrix {
  readonly kind = 'sparse';
  readonly rows: number;
  readonly cols: number;
  /** The stored values in CSR order (trainable). */
  values: Tensor;

  constructor(
    readonly pattern: SparsePattern,
    values: Tensor | ArrayLike<number>,
  ) {
    this.rows = pattern.rows;
    this.cols = pattern.cols;
    this.values =
      values instanceof Tensor
        ? values
        : Tensor.fromArray(pattern.gpu, Float32Array.from(values), [pattern.nnz]);
    if (this.values.size !== pattern.nnz)
      throw new ShapeError(
        `SparseMatrix: ${this.values.size} values for a support of ${pattern.nnz} entries`,
      );
    this.values.trainable();
  }

  get nnz(): number {
    return this.pattern.nnz;
  }

  /** f32 values + u32 column indices + u32 row offsets. */
  get params(): number {
    return 2 * this.nnz + this.rows + 1;
  }

  flops(batch: number): number {
    return 2 * batch * this.nnz;
  }

  apply(x: Tensor): Tensor {
    return sparseApply(this.pattern, this.values, x);
  }

  toDense(): Tensor {
    return sparseToDense(this.pattern, this.values);
  }

  parameters(): Tensor[] {
    return [this.values];
  }

  dispose(): void {
    this.values.dispose();
    this.pattern.dispose();
  }
}

/** Keep the largest-|w| entries of a CPU copy of W (the projection, also used by sparse+lowrank). */
export function sparseFromDense(
  gpu: Gpu,
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  nnz: number,
): SparseMatrix {
  const flat = topKFlat(w, nnz);
  const vals = new Float32Array(nnz);
  for (let j = 0; j < nnz; j++) vals[j] = w[flat[j]];
  return new SparseMatrix(SparsePattern.fromFlat(gpu, rows, cols, flat), vals);
}

export const sparseFamily: FamilyDef<'sparse'> = {
  ...sparseMeta,
  async project(W, spec) {
    const { rows, cols } = matrixShape(W, 'sparse.project');
    sparseMeta.validate(spec, rows, cols);
    const w = await W.read();
    return sparseFromDense(W.gpu, w, rows, cols, sparseNnz(spec.density, rows, cols));
  },
  random(gpu, rows, cols, spec, opts: Required<ProjectOptions>) {
    sparseMeta.validate(spec, rows, cols);
    const nnz = sparseNnz(spec.density, rows, cols);
    const flat = sampleWithoutReplacement(rows * cols, nnz, opts.rng);
    const bound = 1 / Math.sqrt(cols);
    return new SparseMatrix(
      SparsePattern.fromFlat(gpu, rows, cols, flat),
      opts.rng.uniforms(nnz, -bound, bound),
    );
  },
};
