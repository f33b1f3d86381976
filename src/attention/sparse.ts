/**
 * Index-driven sparse causal attention (shaders/attention-sparse.wgsl) in MInference's layout, and
 * the recall / density of an index against dense attention. The index lives on the GPU as four u32
 * buffers: per head h and 64-row query block b (slot = h·rows + b), blockCount[slot] key blocks
 * starting at blockOffset[slot·nnzS + t] and columnCount[slot] columns columnIndex[slot·nnzV + c].
 */
import sparseSrc from '../../shaders/attention-sparse.wgsl?raw';
import type { Gpu, Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import type { SparseIndexRef } from '../reference/attention';
import { Tensor } from '../tensor/tensor';
import { type AttentionShape, checkAttention, fusedForward, headDimKernel } from './fused';

export const BLOCK = 64;

/** The sparse kernels for head dim d (compiled per head dim: the row loops have a fixed length). */
export const sparseKernel = (entry: 'forward' | 'recall', d: number): Kernel =>
  entry === 'forward'
    ? headDimKernel('attention-sparse', sparseSrc, entry, d)
    : { name: 'attention-sparse', code: sparseSrc, entry, constants: { D4: d / 4 } };

/**
 * A sparse index on the GPU for `heads` heads of length n: four u32 tensors, so that tidy() and
 * Tensor.liveCount() see them like any intermediate (a SparseIndex returned from tidy() keeps them).
 * dispose() disposes all four.
 */
export class SparseIndex {
  readonly rows: number;
  /** [heads, rows] key blocks per query block. */
  readonly blockCount: Tensor;
  /** [heads, rows, max(1, nnzS)] first key of each block. */
  readonly blockOffset: Tensor;
  /** [heads, rows] columns per query block. */
  readonly columnCount: Tensor;
  /** [heads, rows, max(1, nnzV)] the columns. */
  readonly columnIndex: Tensor;
  private disposed = false;

  constructor(
    readonly gpu: Gpu,
    readonly heads: number,
    readonly n: number,
    /** Capacity of key blocks per query block. */
    readonly nnzS: number,
    /** Capacity of columns per query block. */
    readonly nnzV: number,
    init?: {
      blockCount: Uint32Array;
      blockOffset: Uint32Array;
      columnCount: Uint32Array;
      columnIndex: Uint32Array;
    },
  ) {
    this.rows = Math.ceil(n / BLOCK);
    const slots = heads * this.rows;
    const what = `A sparse attention index (${heads} heads × ${this.rows} query blocks)`;
    gpu.checkStorageSize(slots * Math.max(1, nnzS) * 4, `${what}: block offsets`);
    gpu.checkStorageSize(slots * Math.max(1, nnzV) * 4, `${what}: column indices`);
    const shapes: Array<[keyof NonNullable<typeof init>, number[]]> = [
      ['blockCount', [heads, this.rows]],
      ['blockOffset', [heads, this.rows, Math.max(1, nnzS)]],
      ['columnCount', [heads, this.rows]],
      ['columnIndex', [heads, this.rows, Math.max(1, nnzV)]],
    ];
    const [bc, bo, cc, ci] = shapes.map(([key, shape]) =>
      init ? Tensor.fromArray(gpu, init[key], shape, 'u32') : Tensor.empty(gpu, shape, what, 'u32'),
    );
    this.blockCount = bc;
    this.blockOffset = bo;
    this.columnCount = cc;
    this.columnIndex = ci;
  }

  /** Upload per-head CPU indices (tests, custom masks). */
  static fromRef(gpu: Gpu, refs: SparseIndexRef[]): SparseIndex {
    const r0 = refs[0];
    for (const r of refs)
      if (r.n !== r0.n || r.nnzS !== r0.nnzS || r.nnzV !== r0.nnzV)
        throw new ShapeError('SparseIndex.fromRef: every head needs the same n, nnzS and nnzV');
    const cat = (get: (r: SparseIndexRef) => Int32Array) => {
      const parts = refs.map(get);
      const out = new Uint32Array(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    };
    return new SparseIndex(gpu, refs.length, r0.n, r0.nnzS, r0.nnzV, {
      blockCount: cat((r) => r.blockCount),
      blockOffset: cat((r) => r.blockOffset),
      columnCount: cat((r) => r.columnCount),
      columnIndex: cat((r) => r.columnIndex),
    });
  }

  /** Read back, one SparseIndexRef per head. */
  async read(): Promise<SparseIndexRef[]> {
    const S = Math.max(1, this.nnzS);
    const V = Math.max(1, this.nnzV);
    const [bc, bo, cc, ci] = await Promise.all(
      [this.blockCount, this.blockOffset, this.columnCount, this.columnIndex].map((t) => t.readInts()),
    );
    const out: SparseIndexRef[] = [];
    const r = this.rows;
    const part = (a: Uint32Array | Int32Array, h: number, len: number) =>
      Int32Array.from(a.subarray(h * len, (h + 1) * len));
    for (let h = 0; h < this.heads; h++)
      out.push({
        n: this.n,
        rows: r,
        nnzS: S,
        nnzV: V,
        blockCount: part(bc, h, r),
        blockOffset: part(bo, h, r * S),
        columnCount: part(cc, h, r),
        columnIndex: part(ci, h, r * V),
      });
    return out;
  }

  bindings(): Record<string, GPUBuffer> {
    if (this.disposed) throw new Error('SparseIndex was used after dispose()');
    return {
      block_count: this.blockCount.buffer,
      block_offset: this.blockOffset.buffer,
      column_count: this.columnCount.buffer,
      column_index: this.columnIndex.buffer,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of [this.blockCount, this.blockOffset, this.columnCount, this.columnIndex]) t.dispose();
  }
}

function checkIndex(s: AttentionShape, ix: SparseIndex, what: string): void {
  if (ix.n !== s.n || ix.heads !== s.heads)
    throw new ShapeError(
      `${what}: the index is for ${ix.heads} heads of length ${ix.n}, Q has ${s.heads} heads of length ${s.n}`,
    );
}

function params(s: AttentionShape, ix: SparseIndex, scale: number) {
  return {
    n: s.n,
    d: s.d,
    scale,
    heads: s.heads,
    rows: ix.rows,
    nnz_s: Math.max(1, ix.nnzS),
    nnz_v: Math.max(1, ix.nnzV),
  };
}

/** Causal attention over the index's entries only: softmax restricted to them, times V. */
export function sparseAttention(q: Tensor, k: Tensor, v: Tensor, ix: SparseIndex, scale?: number): Tensor {
  const s = checkAttention(q, k, v, 'sparseAttention');
  checkIndex(s, ix, 'sparseAttention');
  const out = Tensor.empty(q.gpu, q.shape, 'The sparse attention output');
  q.gpu.dispatch(
    sparseKernel('forward', s.d),
    { q: q.buffer, k: k.buffer, v: v.buffer, out: out.buffer, ...ix.bindings() },
    params(s, ix, scale ?? 1 / Math.sqrt(s.d)),
    [ix.rows, s.heads],
  );
  return out;
}

export interface IndexQuality {
  /** Per head: mean over query rows of the dense causal softmax mass inside the index. */
  recall: number[];
  /** Per head: computed causal entries / (n(n+1)/2). */
  density: number[];
}

/**
 * Recall and density of an index against dense causal attention: the dense row log-sum-exps come
 * from the fused forward (or `lse` when given, [heads, n]); one pass over the index's entries sums
 * the dense probabilities it covers and counts them.
 */
export async function indexQuality(
  q: Tensor,
  k: Tensor,
  ix: SparseIndex,
  lse?: Tensor,
  scale?: number,
): Promise<IndexQuality> {
  const s = checkAttention(q, k, k, 'indexQuality');
  checkIndex(s, ix, 'indexQuality');
  const sc = scale ?? 1 / Math.sqrt(s.d);
  let L = lse;
  let own: Tensor | null = null;
  if (!L) {
    const f = fusedForward(q, k, k, sc);
    f.out.dispose();
    own = f.lse;
    L = own;
  }
  const stats = Tensor.empty(q.gpu, [s.heads, s.n, 2], 'Index recall statistics');
  q.gpu.dispatch(
    sparseKernel('recall', s.d),
    { q: q.buffer, k: k.buffer, lse_in: L.buffer, stats: stats.buffer, ...ix.bindings() },
    params(s, ix, sc),
    [ix.rows, s.heads],
  );
  const data = await stats.read();
  stats.dispose();
  own?.dispose();
  const recall: number[] = [];
  const density: number[] = [];
  const causal = (s.n * (s.n + 1)) / 2;
  for (let h = 0; h < s.heads; h++) {
    let mass = 0;
    let count = 0;
    for (let i = 0; i < s.n; i++) {
      mass += data[(h * s.n + i) * 2];
      count += data[(h * s.n + i) * 2 + 1];
    }
    recall.push(mass / s.n);
    density.push(count / causal);
  }
  return { recall, density };
}
