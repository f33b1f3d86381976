/**
 * The shared sparse machinery (shaders/sparse.wgsl): SparsePattern (a fixed support, its CSR on the
 * GPU and, built on first backward, its CSC), sparseApply (Y = X·Wᵀ with backward w.r.t. X and the
 * values), packTransposed, sparsePlusLowRankApply, sparseToDense. Not a family: the sparse, N:M and
 * sparse+lowrank families build on it, and later code (adapters, attention) may use it directly.
 * Oracle: src/reference/sparse.ts; tests: src/structured/sparse.test.ts, sparse-lowrank.test.ts,
 * nm-sparse.test.ts; bench: bench/families-sparse.ts.
 */
import sparseSrc from '../../shaders/sparse.wgsl?raw';
import type { Gpu, Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { needsGrad, record } from '../tensor/autograd';
import { matmul } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';

// ------------------------------------------------------------------ kernels

const kernel = (entry: string): Kernel => ({ name: 'sparse', code: sparseSrc, entry });

/** The CSR product (perm = false) or the CSC one (perm = true), tile4 vec4 accumulators per invocation. */
export const spmmKernel = (perm: boolean, tile4: number): Kernel => ({
  name: 'sparse',
  code: sparseSrc,
  entry: 'spmm',
  constants: { PERM: perm, TILE4: tile4 },
});

export const SPARSE_KERNELS = {
  pack: kernel('pack'),
  spmmLowRank: kernel('spmmLowRank'),
  dvalues: kernel('dvalues'),
  scatter: kernel('scatter'),
  gather: kernel('gather'),
};

/** The kernels the sparse families use, for Gpu.precompile. */
export function sparseKernels(): Kernel[] {
  const spmm = [2, 4, 8].flatMap((t) => [spmmKernel(false, t), spmmKernel(true, t)]);
  return [...spmm, ...Object.values(SPARSE_KERNELS)];
}

const fmt = (t: Tensor) => `[${t.shape.join(', ')}]`;

function grid1d(gpu: Gpu, n: number, wg: number): { grid: [number, number]; stride: number } {
  const grid = gpu.grid1d(Math.ceil(n / wg));
  return { grid, stride: grid[0] * wg };
}

/**
 * vec4 accumulators per spmm invocation (4·tile4 batch rows): 8 for batches ≥ 32, 4 above 8,
 * else 2, so that small batches waste little padding and big ones reuse each loaded value and
 * index 32 times (measured fastest on SwiftShader; see bench/families-sparse.ts).
 */
export function tileFor(batch: number): 2 | 4 | 8 {
  return batch >= 32 ? 8 : batch > 8 ? 4 : 2;
}

/** How a batch is packed and split: bpad = batch rounded up to 4·tile4, bp4 = bpad / 4. */
export interface BatchGeometry {
  batch: number;
  tile4: number;
  bp4: number;
  /** Dispatch size along y (batch tiles). */
  groups: number;
}

export function batchGeometry(gpu: Gpu, batch: number): BatchGeometry {
  const tile4 = tileFor(batch);
  const rowsPerTile = 4 * tile4;
  const groups = Math.ceil(batch / rowsPerTile);
  const max = gpu.info.limits.maxComputeWorkgroupsPerDimension;
  if (groups > max)
    throw new ShapeError(
      `sparse apply: batch ${batch} is over the ${max * rowsPerTile} rows one dispatch covers`,
    );
  return { batch, tile4, bp4: groups * tile4, groups };
}

/** xt[c·bpad + b] = x[b, c] (zero for b ≥ batch): x [batch, feats] → [feats · bpad]. */
export function packTransposed(x: Tensor, batch: number, feats: number, bp4: number): Tensor {
  const n = feats * bp4 * 4;
  const out = Tensor.empty(x.gpu, [n], 'A packed (transposed) input');
  const { grid, stride } = grid1d(x.gpu, n, 256);
  x.gpu.dispatch(
    SPARSE_KERNELS.pack,
    { x: x.buffer, packed: out.buffer },
    { rows: feats, cols: feats, batch, bp4, nnz: 0, stride },
    grid,
  );
  return out;
}

// ------------------------------------------------------------------ support

type IndexName = 'rowPtr' | 'colIdx' | 'rowOf' | 'cscPtr' | 'cscRow' | 'cscPerm';

/**
 * A fixed sparsity support of a rows × cols matrix, as CSR on the CPU (sorted column indices in
 * each row). GPU copies of the index arrays are made on first use; the CSC (transposed pattern,
 * with `cscPerm` pointing back into the CSR value order) is built on the first backward pass.
 */
export class SparsePattern {
  private bufs = new Map<IndexName, Tensor>();
  private csc: { ptr: Uint32Array; row: Uint32Array; perm: Uint32Array } | null = null;
  private rowOfCpu: Uint32Array | null = null;

  constructor(
    readonly gpu: Gpu,
    readonly rows: number,
    readonly cols: number,
    readonly rowPtr: Uint32Array,
    readonly colIdx: Uint32Array,
  ) {
    if (rowPtr.length !== rows + 1 || rowPtr[rows] !== colIdx.length)
      throw new ShapeError(
        `SparsePattern: row offsets do not describe ${rows} rows of ${colIdx.length} entries`,
      );
    if (colIdx.length < 1) throw new ShapeError('SparsePattern: a support needs at least one entry');
  }

  /** From sorted, distinct flat indices row·cols + col. */
  static fromFlat(gpu: Gpu, rows: number, cols: number, flat: ArrayLike<number>): SparsePattern {
    const rowPtr = new Uint32Array(rows + 1);
    const colIdx = new Uint32Array(flat.length);
    let prev = -1;
    for (let j = 0; j < flat.length; j++) {
      const f = flat[j];
      if (!(f > prev) || f >= rows * cols)
        throw new ShapeError(`SparsePattern.fromFlat: indices must be sorted, distinct and < ${rows * cols}`);
      prev = f;
      const r = Math.floor(f / cols);
      rowPtr[r + 1]++;
      colIdx[j] = f - r * cols;
    }
    for (let r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
    return new SparsePattern(gpu, rows, cols, rowPtr, colIdx);
  }

  get nnz(): number {
    return this.colIdx.length;
  }

  /** Row of every stored entry (COO rows). */
  get rowOf(): Uint32Array {
    if (!this.rowOfCpu) {
      const r = new Uint32Array(this.nnz);
      for (let i = 0; i < this.rows; i++) r.fill(i, this.rowPtr[i], this.rowPtr[i + 1]);
      this.rowOfCpu = r;
    }
    return this.rowOfCpu;
  }

  /** Flat indices row·cols + col, sorted. */
  flat(): Float64Array {
    const out = new Float64Array(this.nnz);
    const rowOf = this.rowOf;
    for (let j = 0; j < this.nnz; j++) out[j] = rowOf[j] * this.cols + this.colIdx[j];
    return out;
  }

  private cscCpu() {
    if (!this.csc) {
      const { rows, cols, nnz } = this;
      const ptr = new Uint32Array(cols + 1);
      for (let j = 0; j < nnz; j++) ptr[this.colIdx[j] + 1]++;
      for (let c = 0; c < cols; c++) ptr[c + 1] += ptr[c];
      const next = ptr.slice(0, cols);
      const row = new Uint32Array(nnz);
      const perm = new Uint32Array(nnz);
      for (let r = 0; r < rows; r++)
        for (let j = this.rowPtr[r]; j < this.rowPtr[r + 1]; j++) {
          const k = next[this.colIdx[j]]++;
          row[k] = r;
          perm[k] = j;
        }
      this.csc = { ptr, row, perm };
    }
    return this.csc;
  }

  /** The GPU copy of one index array (uploaded on first use). */
  buffer(name: IndexName): GPUBuffer {
    let b = this.bufs.get(name);
    if (!b) {
      const data =
        name === 'rowPtr'
          ? this.rowPtr
          : name === 'colIdx'
            ? this.colIdx
            : name === 'rowOf'
              ? this.rowOf
              : name === 'cscPtr'
                ? this.cscCpu().ptr
                : name === 'cscRow'
                  ? this.cscCpu().row
                  : this.cscCpu().perm;
      // A u32 tensor owned by the pattern (kept out of any enclosing tidy(), disposed with it).
      b = Tensor.fromArray(this.gpu, data, [data.length], 'u32').keep();
      this.bufs.set(name, b);
    }
    return b.buffer;
  }

  /** The u32 index tensors uploaded so far (for memory accounting). */
  indexTensors(): Tensor[] {
    return [...this.bufs.values()];
  }

  dispose(): void {
    for (const b of this.bufs.values()) b.dispose();
    this.bufs.clear();
  }
}

// ------------------------------------------------------------------ apply / toDense

/** A forward product on packed inputs: xt [cols · bpad] → y [batch, rows]. */
export type PackedForward = (xt: Tensor, geo: BatchGeometry) => Tensor;

/** CSR SpMM forward on a packed input. */
export function csrForward(p: SparsePattern, values: Tensor): PackedForward {
  return (xt, { batch, bp4, tile4, groups }) => {
    const y = Tensor.empty(p.gpu, [batch, p.rows], 'A sparse product');
    p.gpu.dispatch(
      spmmKernel(false, tile4),
      {
        offsets: p.buffer('rowPtr'),
        idx: p.buffer('colIdx'),
        perm: p.buffer('colIdx'), // not read when PERM = false, but the binding is static
        val: values.buffer,
        xt: xt.buffer,
        y: y.buffer,
      },
      { rows: p.rows, cols: p.cols, batch, bp4, nnz: p.nnz, stride: 0 },
      [Math.ceil(p.rows / 64), groups],
    );
    return y;
  };
}

/**
 * Y = X·Wᵀ for the sparse W given by (pattern, values); X [..., cols] → Y [..., rows].
 * Differentiable in X (dX = dY·W through the CSC, no atomics) and in the values
 * (dval[j] = Σ_b dY[b, row j]·X[b, col j]). `forward` replaces the CSR product (nm-sparse).
 */
export function sparseApply(p: SparsePattern, values: Tensor, x: Tensor, forward?: PackedForward): Tensor {
  if (x.gpu !== values.gpu) throw new ShapeError('tensors live on different GPU devices');
  if (x.shape[x.rank - 1] !== p.cols)
    throw new ShapeError(
      `sparse apply: X ${fmt(x)} must end in W's ${p.cols} columns (W is ${p.rows}×${p.cols})`,
    );
  const batch = x.size / p.cols;
  const geo = batchGeometry(x.gpu, batch);
  const { bp4 } = geo;
  const xt = packTransposed(x, batch, p.cols, bp4);
  const y = (forward ?? csrForward(p, values))(xt, geo);
  xt.dispose();
  const out = x.rank === 2 ? y : reshapeOwned(y, [...x.shape.slice(0, -1), p.rows]);
  return record(out, [x, values], (g) => sparseBackward(p, values, x, g, geo));
}

/** [dX, dvalues] of Y = X·Wᵀ for the sparse W (each null when not needed). */
function sparseBackward(
  p: SparsePattern,
  values: Tensor,
  x: Tensor,
  g: Tensor,
  geo: BatchGeometry,
): [Tensor | null, Tensor | null] {
  const { batch, bp4, groups } = geo;
  let dx: Tensor | null = null;
  let dv: Tensor | null = null;
  const gt = packTransposed(g, batch, p.rows, bp4);
  if (needsGrad(x)) {
    const d = Tensor.empty(x.gpu, [batch, p.cols], 'A sparse input gradient');
    x.gpu.dispatch(
      spmmKernel(true, geo.tile4),
      {
        offsets: p.buffer('cscPtr'),
        idx: p.buffer('cscRow'),
        perm: p.buffer('cscPerm'),
        val: values.buffer,
        xt: gt.buffer,
        y: d.buffer,
      },
      { rows: p.cols, cols: p.rows, batch, bp4, nnz: p.nnz, stride: 0 },
      [Math.ceil(p.cols / 64), groups],
    );
    dx = x.rank === 2 ? d : reshapeOwned(d, x.shape);
  }
  if (needsGrad(values)) {
    const xt2 = packTransposed(x, batch, p.cols, bp4);
    dv = Tensor.empty(x.gpu, [p.nnz], 'A sparse value gradient');
    const { grid, stride } = grid1d(x.gpu, p.nnz, 64);
    x.gpu.dispatch(
      SPARSE_KERNELS.dvalues,
      { rowOf: p.buffer('rowOf'), idx: p.buffer('colIdx'), gt: gt.buffer, xt: xt2.buffer, dval: dv.buffer },
      { rows: p.rows, cols: p.cols, batch, bp4, nnz: p.nnz, stride },
      grid,
    );
    xt2.dispose();
  }
  gt.dispose();
  return [dx, dv];
}

/** Batch rows per invocation of spmmLowRank. */
const LR_TILE = 16;

/**
 * Y = X·Sᵀ + H·Bᵀ in one pass (shaders/sparse.wgsl spmmLowRank), S the sparse (pattern, values),
 * H [batch, rank] (e.g. X·Aᵀ), B [rows, rank]: the sparse+lowrank forward without the second thin
 * GEMM and the add. Differentiable in X (sparse part; the H path flows through H's own graph),
 * the values, H (dH = dY·B) and B (dB = dYᵀ·H).
 */
export function sparsePlusLowRankApply(
  p: SparsePattern,
  values: Tensor,
  x: Tensor,
  h: Tensor,
  B: Tensor,
): Tensor {
  if (x.rank !== 2 || x.shape[1] !== p.cols)
    throw new ShapeError(`sparse+lowrank apply: X ${fmt(x)} must be [batch, ${p.cols}]`);
  const batch = x.shape[0];
  const rank = B.shape[1];
  if (B.rank !== 2 || B.shape[0] !== p.rows || h.rank !== 2 || h.shape[0] !== batch || h.shape[1] !== rank)
    throw new ShapeError(
      `sparse+lowrank apply: H ${fmt(h)} and B ${fmt(B)} do not fit X ${fmt(x)} and ${p.rows} rows`,
    );
  const groups = Math.ceil(batch / LR_TILE);
  const max = x.gpu.info.limits.maxComputeWorkgroupsPerDimension;
  if (groups > max)
    throw new ShapeError(
      `sparse+lowrank apply: batch ${batch} is over the ${max * LR_TILE} rows one dispatch covers`,
    );
  const out = Tensor.empty(x.gpu, [batch, p.rows], 'A sparse + low-rank product');
  x.gpu.dispatch(
    SPARSE_KERNELS.spmmLowRank,
    {
      offsets: p.buffer('rowPtr'),
      idx: p.buffer('colIdx'),
      val: values.buffer,
      x: x.buffer,
      h: h.buffer,
      bmat: B.buffer,
      y: out.buffer,
    },
    { rows: p.rows, cols: p.cols, batch, bp4: 0, nnz: p.nnz, stride: 0, rank },
    [Math.ceil(p.rows / 64), groups],
  );
  return record(out, [x, values, h, B], (g) => {
    const [dx, dv] = needsGrad(x, values)
      ? sparseBackward(p, values, x, g, batchGeometry(x.gpu, batch))
      : [null, null];
    const dh = needsGrad(h) ? matmul(g, B) : null;
    const dB = needsGrad(B) ? matmul(g, h, { transA: true }) : null;
    return [dx, dv, dh, dB];
  });
}

function reshapeOwned(t: Tensor, shape: readonly number[]): Tensor {
  const r = t.reshape(shape);
  t.dispose();
  return r;
}

/** W as a dense [rows, cols] tensor; differentiable in the values (gather of dW at the support). */
export function sparseToDense(p: SparsePattern, values: Tensor): Tensor {
  const out = Tensor.zeros(p.gpu, [p.rows, p.cols]);
  const { grid, stride } = grid1d(p.gpu, p.nnz, 64);
  const u = { rows: p.rows, cols: p.cols, batch: 0, bp4: 0, nnz: p.nnz, stride };
  p.gpu.dispatch(
    SPARSE_KERNELS.scatter,
    { rowOf: p.buffer('rowOf'), idx: p.buffer('colIdx'), val: values.buffer, dense: out.buffer },
    u,
    grid,
  );
  return record(out, [values], (g) => {
    const dv = Tensor.empty(p.gpu, [p.nnz], 'A sparse value gradient');
    p.gpu.dispatch(
      SPARSE_KERNELS.gather,
      { rowOf: p.buffer('rowOf'), idx: p.buffer('colIdx'), g: g.buffer, dval: dv.buffer },
      u,
      grid,
    );
    return [dv];
  });
}
