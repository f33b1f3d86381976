/**
 * MInference's three index builders on the GPU (shaders/attention-index.wgsl), each returning a
 * SparseIndex for every head of Q, K ([heads, n, d] or [batch, heads, n, d]):
 *   aShapeIndex        `init` sink columns + the 64-aligned key blocks covering a `local` window;
 *   blockSparseIndex   top-k key blocks per query block by mean-pooled block scores (diagonal in);
 *   verticalSlashIndex top `vertical` columns and top `slash` diagonals from the softmax of the last
 *                      min(64, n) queries (their logits: one batched GEMM), converted to blocks +
 *                      columns as MInference does.
 * Budgets larger than n are clamped (10⁶ means "everything").
 */
import indexSrc from '../../shaders/attention-index.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { VS_SINKS, VS_SMALL_OFFSETS } from '../reference/attention';
import { noGrad } from '../tensor/autograd';
import { matmul } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';
import { type AttentionShape, checkAttention } from './fused';
import { BLOCK, SparseIndex } from './sparse';

export { VS_SINKS, VS_SMALL_OFFSETS };

type IndexEntry = 'a_shape' | 'pool' | 'block_topk' | 'vs_softmax' | 'vs_scores' | 'topk' | 'vs_convert';

export const indexKernel = (entry: IndexEntry): Kernel => ({
  name: 'attention-index',
  code: indexSrc,
  entry,
});

export function indexKernels(): Kernel[] {
  return (['a_shape', 'pool', 'block_topk', 'vs_softmax', 'vs_scores', 'topk', 'vs_convert'] as const).map(
    indexKernel,
  );
}

/** Block-sparse keeps its block scores in registers: at most 256 query blocks. */
export const MAX_BLOCK_SPARSE_N = 256 * BLOCK;

const clampBudget = (x: number, n: number) => Math.max(1, Math.min(Math.floor(x), n));

function base(s: AttentionShape, ix: SparseIndex) {
  return {
    n: s.n,
    d: s.d,
    heads: s.heads,
    rows: ix.rows,
    nnz_s: Math.max(1, ix.nnzS),
    nnz_v: Math.max(1, ix.nnzV),
  };
}

export function aShapeIndex(q: Tensor, init: number, local: number): SparseIndex {
  const s = checkAttention(q, q, q, 'aShapeIndex');
  if (!(init >= 0) || !(local >= 1))
    throw new ShapeError(`aShapeIndex: init must be ≥ 0 and local ≥ 1, got ${init}, ${local}`);
  const I = Math.min(Math.floor(init), s.n);
  const Lc = clampBudget(local, s.n);
  const rows = Math.ceil(s.n / BLOCK);
  const ix = new SparseIndex(q.gpu, s.heads, s.n, rows, Math.max(1, I));
  q.gpu.dispatch(indexKernel('a_shape'), ix.bindings(), { ...base(s, ix), init: I, local: Lc }, [
    Math.ceil(rows / 64),
    s.heads,
  ]);
  return ix;
}

export function blockSparseIndex(q: Tensor, k: Tensor, topk: number): SparseIndex {
  const s = checkAttention(q, k, k, 'blockSparseIndex');
  if (s.n > MAX_BLOCK_SPARSE_N)
    throw new ShapeError(
      `blockSparseIndex: n = ${s.n} is over the block-sparse builder's limit of ${MAX_BLOCK_SPARSE_N}`,
    );
  if (!(topk >= 1)) throw new ShapeError(`blockSparseIndex: topk must be ≥ 1, got ${topk}`);
  const rows = Math.ceil(s.n / BLOCK);
  const K = clampBudget(topk, rows);
  const ix = new SparseIndex(q.gpu, s.heads, s.n, K, 1);
  const gpu = q.gpu;
  const qp = Tensor.empty(gpu, [s.heads, rows, s.d], 'Pooled query blocks');
  const kp = Tensor.empty(gpu, [s.heads, rows, s.d], 'Pooled key blocks');
  const u = { ...base(s, ix), topk: K };
  gpu.dispatch(
    indexKernel('pool'),
    { q: q.buffer, k: k.buffer, scratch: qp.buffer, scratch2: kp.buffer },
    u,
    [Math.ceil((rows * s.d) / 4 / 64), s.heads],
  );
  gpu.dispatch(indexKernel('block_topk'), { ...ix.bindings(), scratch: qp.buffer, scratch2: kp.buffer }, u, [
    Math.ceil(rows / 64),
    s.heads,
  ]);
  gpu.flush();
  qp.dispose();
  kp.dispose();
  return ix;
}

export function verticalSlashIndex(
  q: Tensor,
  k: Tensor,
  vertical: number,
  slash: number,
  scale?: number,
): SparseIndex {
  const s = checkAttention(q, k, k, 'verticalSlashIndex');
  if (!(vertical >= 1) || !(slash >= 1))
    throw new ShapeError(`verticalSlashIndex: vertical and slash must be ≥ 1, got ${vertical}, ${slash}`);
  const gpu = q.gpu;
  const V = clampBudget(vertical, s.n);
  const S = clampBudget(slash, s.n);
  const lastQ = Math.min(BLOCK, s.n);
  const rows = Math.ceil(s.n / BLOCK);
  const ix = new SparseIndex(gpu, s.heads, s.n, rows + 1, V);
  const nslash = Math.max(V, S);
  gpu.checkStorageSize(s.heads * lastQ * s.n * 4, `verticalSlashIndex: the last ${lastQ} queries' scores`);
  const sc = scale ?? 1 / Math.sqrt(s.d);
  // Logits of the last lastQ queries against every key: one batched GEMM (the register-blocked
  // kernels of src/tensor) on a copy of those query rows; vs_softmax reads only j ≤ i (causal).
  const qLast = Tensor.empty(gpu, [s.heads, lastQ, s.d], 'The last queries');
  for (let h = 0; h < s.heads; h++)
    gpu.copy(q.buffer, (h * s.n + s.n - lastQ) * s.d * 4, qLast.buffer, h * lastQ * s.d * 4, lastQ * s.d * 4);
  const scoresT = noGrad(() => {
    const k3 = k.reshape([s.heads, s.n, s.d]);
    const out = matmul(qLast, k3, { transB: true, alpha: sc });
    k3.dispose();
    return out;
  });
  qLast.dispose();
  const sumsT = Tensor.empty(gpu, [s.heads, 2, s.n], 'Vertical and slash sums');
  const selT = Tensor.empty(gpu, [s.heads, 2, nslash], 'Kept columns and offsets', 'u32');
  const [scores, sums, sel] = [scoresT.buffer, sumsT.buffer, selT.buffer];
  const u = {
    ...base(s, ix),
    scale: sc,
    last_q: lastQ,
    nslash,
    nv: V,
    ns: S,
  };
  const wide = Math.ceil(s.n / 64);
  gpu.dispatch(indexKernel('vs_softmax'), { scratch: scores }, u, [1, s.heads]);
  gpu.dispatch(indexKernel('vs_scores'), { scratch: scores, scratch2: sums }, u, [wide, s.heads]);
  // Columns (sinks forced), then offsets (small offsets forced): two top-k passes.
  gpu.dispatch(
    indexKernel('topk'),
    { scratch2: sums, sel_out: sel },
    { ...u, kk: V, forced: Math.min(VS_SINKS, V), which: 0 },
    [1, s.heads],
  );
  gpu.dispatch(
    indexKernel('topk'),
    { scratch2: sums, sel_out: sel },
    { ...u, kk: S, forced: Math.min(VS_SMALL_OFFSETS, S), which: 1 },
    [1, s.heads],
  );
  gpu.dispatch(indexKernel('vs_convert'), { ...ix.bindings(), sel_in: sel, sel_in2: sel }, u, [
    Math.ceil(rows / 64),
    s.heads,
  ]);
  gpu.flush();
  for (const t of [scoresT, sumsT, selT]) t.dispose();
  return ix;
}
