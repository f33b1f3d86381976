/**
 * N:M semi-structured sparse family (default 2:4): in every group of m consecutive inputs of a row
 * of W keep the n largest |w| (ties: the smaller column first). Stored as the kept values and
 * their in-group positions, packed a few bits each (shaders/nm-sparse.wgsl); the backward passes
 * reuse the CSR / CSC machinery of sparse.ts on the same support.
 *
 * params counts stored 32-bit words (the convention of all sparse families, see sparse.ts): the
 * kept f32 values plus the u32 words holding the packed in-group indices (2:4: 2 bits per value,
 * 16 per word).
 */

import nmSrc from '../../shaders/nm-sparse.wgsl?raw';
import type { Gpu, Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { type PackedForward, SparsePattern, sparseApply, sparseToDense } from '../ops/sparse-apply';
import type { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { indexLayout, nmSparseMeta, validateNM } from './nm-sparse.spec';
import type { FamilyDef } from './registry';
import type { StructuredMatrix } from './types';

/** The N:M product with tile4 vec4 accumulators per invocation (see sparse.ts tileFor). */
export const nmKernel = (tile4: number): Kernel => ({
  name: 'nm-sparse',
  code: nmSrc,
  entry: 'forward',
  constants: { TILE4: tile4 },
});

/** The kernels the N:M family uses (its own forward; the backward ones are sparse.ts's), for Gpu.precompile. */
export function nmKernels(): Kernel[] {
  return [2, 4, 8].map(nmKernel);
}

export class NMSparseMatrix implements StructuredMatrix {
  readonly kind = 'nm-sparse';
  readonly rows: number;
  readonly cols: number;
  /** Kept values, row-major by (row, group, k) (trainable). */
  values: Tensor;
  /** The same support as CSR (for the backward passes and toDense). */
  readonly pattern: SparsePattern;
  /** In-group offsets of every kept value, 0 ≤ off < m, ascending within a group. */
  readonly offsets: Uint8Array | Uint16Array;
  private idxw: Tensor | null = null;
  private readonly packedIdx: Uint32Array;

  constructor(
    readonly gpu: Gpu,
    rows: number,
    cols: number,
    readonly n: number,
    readonly m: number,
    offsets: ArrayLike<number>,
    values: ArrayLike<number> | Tensor,
  ) {
    validateNM(n, m, cols);
    this.rows = rows;
    this.cols = cols;
    const groups = cols / m;
    const kept = rows * groups * n;
    if (offsets.length !== kept)
      throw new ShapeError(`NMSparseMatrix: ${offsets.length} offsets for ${kept} kept entries`);
    this.offsets = m <= 256 ? Uint8Array.from(offsets) : Uint16Array.from(offsets);
    const rowPtr = new Uint32Array(rows + 1);
    const colIdx = new Uint32Array(kept);
    for (let r = 0; r <= rows; r++) rowPtr[r] = r * groups * n;
    for (let e = 0; e < kept; e++) {
      const g = Math.floor(e / n) % groups;
      const off = this.offsets[e];
      if (off >= m || (e % n > 0 && off <= this.offsets[e - 1]))
        throw new ShapeError(
          `NMSparseMatrix: offsets must be ascending within a group and < ${m} (entry ${e})`,
        );
      colIdx[e] = g * m + off;
    }
    this.pattern = new SparsePattern(gpu, rows, cols, rowPtr, colIdx);
    const { lbits, lper } = indexLayout(m);
    this.packedIdx = new Uint32Array(Math.ceil(kept / (1 << lper)));
    for (let e = 0; e < kept; e++)
      this.packedIdx[e >>> lper] =
        (this.packedIdx[e >>> lper] | (this.offsets[e] << ((e & ((1 << lper) - 1)) << lbits))) >>> 0;
    this.values =
      values instanceof Tensor ? values : Tensor.fromArray(gpu, Float32Array.from(values), [kept]);
    if (this.values.size !== kept)
      throw new ShapeError(`NMSparseMatrix: ${this.values.size} values for ${kept} kept entries`);
    this.values.trainable();
  }

  get kept(): number {
    return this.pattern.nnz;
  }

  /** f32 values + u32 words of packed in-group indices. */
  get params(): number {
    return this.kept + this.packedIdx.length;
  }

  flops(batch: number): number {
    return 2 * batch * this.kept;
  }

  private indexBuffer(): GPUBuffer {
    if (!this.idxw) {
      // A u32 tensor owned by this matrix (kept out of any enclosing tidy(), disposed with it).
      this.idxw = Tensor.fromArray(this.gpu, this.packedIdx, [this.packedIdx.length], 'u32').keep();
    }
    return this.idxw.buffer;
  }

  private forward: PackedForward = (xt, { batch, bp4, tile4, groups }) => {
    const y = Tensor.empty(this.gpu, [batch, this.rows], 'An N:M sparse product');
    const { lbits, lper } = indexLayout(this.m);
    this.gpu.dispatch(
      nmKernel(tile4),
      { val: this.values.buffer, idxw: this.indexBuffer(), xt: xt.buffer, y: y.buffer },
      { rows: this.rows, cols: this.cols, batch, bp4, n: this.n, m: this.m, lbits, lper },
      [Math.ceil(this.rows / 64), groups],
    );
    return y;
  };

  apply(x: Tensor): Tensor {
    return sparseApply(this.pattern, this.values, x, this.forward);
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
    this.idxw?.dispose();
    this.idxw = null;
  }
}

/**
 * In-group offsets of the N:M projection of a row-major rows × cols w: per group the n largest
 * |w| (ties: smaller column), ascending.
 */
export function nmOffsets(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  n: number,
  m: number,
): Uint16Array {
  const groups = cols / m;
  const out = new Uint16Array(rows * groups * n);
  const order = Array.from({ length: m }, (_, i) => i);
  let e = 0;
  for (let r = 0; r < rows; r++)
    for (let g = 0; g < groups; g++) {
      const base = r * cols + g * m;
      for (let i = 0; i < m; i++) order[i] = i;
      order.sort((a, b) => Math.abs(w[base + b]) - Math.abs(w[base + a]) || a - b);
      const keep = order.slice(0, n).sort((a, b) => a - b);
      for (const k of keep) out[e++] = k;
    }
  return out;
}

function randomOffsets(rows: number, cols: number, n: number, m: number, rng: Rng): Uint16Array {
  const groups = cols / m;
  const out = new Uint16Array(rows * groups * n);
  const pool = new Uint16Array(m);
  let e = 0;
  for (let t = 0; t < rows * groups; t++) {
    for (let i = 0; i < m; i++) pool[i] = i;
    for (let i = 0; i < n; i++) {
      const j = i + rng.int(m - i);
      const v = pool[j];
      pool[j] = pool[i];
      pool[i] = v;
    }
    const keep = pool.slice(0, n).sort();
    out.set(keep, e);
    e += n;
  }
  return out;
}

export const nmSparseFamily: FamilyDef<'nm-sparse'> = {
  ...nmSparseMeta,
  async project(W, spec) {
    if (W.rank !== 2) throw new ShapeError(`N:M projection: W must be 2-D, got [${W.shape.join(', ')}]`);
    const [rows, cols] = W.shape;
    nmSparseMeta.validate(spec, rows, cols);
    const w = await W.read();
    const offs = nmOffsets(w, rows, cols, spec.n, spec.m);
    const groups = cols / spec.m;
    const vals = new Float32Array(offs.length);
    for (let e = 0; e < offs.length; e++) {
      const rg = Math.floor(e / spec.n);
      vals[e] = w[Math.floor(rg / groups) * cols + (rg % groups) * spec.m + offs[e]];
    }
    return new NMSparseMatrix(W.gpu, rows, cols, spec.n, spec.m, offs, vals);
  },
  random(gpu, rows, cols, spec, { rng }) {
    nmSparseMeta.validate(spec, rows, cols);
    const offs = randomOffsets(rows, cols, spec.n, spec.m, rng);
    const bound = 1 / Math.sqrt(cols);
    return new NMSparseMatrix(
      gpu,
      rows,
      cols,
      spec.n,
      spec.m,
      offs,
      rng.uniforms(offs.length, -bound, bound),
    );
  },
};
