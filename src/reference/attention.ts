/**
 * float64 oracle for attention (one head at a time, plain loops): dense causal attention and its
 * gradients, attention restricted to a sparse index (MInference's layout), recall and density,
 * MInference's three index builders, and MatryoshkaKV attention at rank r (ALGORITHMS §4, §5).
 * Q, K, V are N × D row-major; the scale is 1/√D unless given. Imports nothing outside src/reference.
 */
import { svd } from './lowrank';

/** Query and key block size of the sparse index (MInference's BLOCK_SIZE_M = BLOCK_SIZE_N = 64). */
export const BLOCK = 64;

export interface HeadRef {
  q: ArrayLike<number>;
  k: ArrayLike<number>;
  v: ArrayLike<number>;
  n: number;
  d: number;
}

/** An entry (i, j) attends when mask(i, j) is true; causality is the caller's business. */
export type MaskFn = (i: number, j: number) => boolean;

export const causal: MaskFn = (i, j) => j <= i;

/** softmax(Q·Kᵀ·scale restricted to mask)·V and the row log-sum-exps (natural log). */
export function maskedAttentionRef(
  h: HeadRef,
  mask: MaskFn = causal,
  scale = 1 / Math.sqrt(h.d),
): { out: Float64Array; lse: Float64Array } {
  const { q, k, v, n, d } = h;
  const out = new Float64Array(n * d);
  const lse = new Float64Array(n);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < n; j++) {
      if (!mask(i, j)) {
        s[j] = -Infinity;
        continue;
      }
      let dot = 0;
      for (let c = 0; c < d; c++) dot += q[i * d + c] * k[j * d + c];
      s[j] = dot * scale;
      if (s[j] > m) m = s[j];
    }
    let l = 0;
    for (let j = 0; j < n; j++) if (s[j] > -Infinity) l += Math.exp(s[j] - m);
    lse[i] = m + Math.log(l);
    for (let j = 0; j < n; j++) {
      if (s[j] === -Infinity) continue;
      const p = Math.exp(s[j] - lse[i]);
      for (let c = 0; c < d; c++) out[i * d + c] += p * v[j * d + c];
    }
  }
  return { out, lse };
}

/** Dense causal attention. */
export function attentionRef(h: HeadRef, scale?: number): { out: Float64Array; lse: Float64Array } {
  return maskedAttentionRef(h, causal, scale);
}

/** The dense causal softmax A (N × N, zeros above the diagonal). */
export function causalProbabilities(h: HeadRef, scale = 1 / Math.sqrt(h.d)): Float64Array {
  const { lse } = maskedAttentionRef(h, causal, scale);
  const { q, k, n, d } = h;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += q[i * d + c] * k[j * d + c];
      a[i * n + j] = Math.exp(dot * scale - lse[i]);
    }
  return a;
}

/** Gradients of L = Σ dO ⊙ attention(Q, K, V) (causal), by the textbook formulas. */
export function attentionBackwardRef(
  h: HeadRef,
  dO: ArrayLike<number>,
  scale = 1 / Math.sqrt(h.d),
): { dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const { q, k, v, n, d } = h;
  const a = causalProbabilities(h, scale);
  const dq = new Float64Array(n * d);
  const dk = new Float64Array(n * d);
  const dv = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    // dP_ij = dO_i · v_j ; dS_ij = P_ij (dP_ij − Σ_t P_it dP_it)
    const dp = new Float64Array(i + 1);
    let delta = 0;
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += dO[i * d + c] * v[j * d + c];
      dp[j] = s;
      delta += a[i * n + j] * s;
    }
    for (let j = 0; j <= i; j++) {
      const p = a[i * n + j];
      const ds = p * (dp[j] - delta) * scale;
      for (let c = 0; c < d; c++) {
        dv[j * d + c] += p * dO[i * d + c];
        dq[i * d + c] += ds * k[j * d + c];
        dk[j * d + c] += ds * q[i * d + c];
      }
    }
  }
  return { dq, dk, dv };
}

// ------------------------------------------------------------------ sparse index

/**
 * MInference's sparse index for one head: for query block b (rows 64b … 64b+63), blockCount[b] key
 * blocks starting at blockOffset[b·nnzS + t] (64 keys each, any start), and columnCount[b] single
 * key columns columnIndex[b·nnzV + c]. The kernel computes those entries that are also causal.
 */
export interface SparseIndexRef {
  n: number;
  /** Query blocks: ceil(n / 64). */
  rows: number;
  nnzS: number;
  nnzV: number;
  blockCount: Int32Array;
  blockOffset: Int32Array;
  columnCount: Int32Array;
  columnIndex: Int32Array;
}

export function emptyIndex(n: number, nnzS: number, nnzV: number): SparseIndexRef {
  const rows = Math.ceil(n / BLOCK);
  return {
    n,
    rows,
    nnzS,
    nnzV,
    blockCount: new Int32Array(rows),
    blockOffset: new Int32Array(rows * Math.max(1, nnzS)),
    columnCount: new Int32Array(rows),
    columnIndex: new Int32Array(rows * Math.max(1, nnzV)),
  };
}

/** The entries an index makes the kernel compute: n × n, 1 where computed (causal included). */
export function maskOfIndex(ix: SparseIndexRef): Uint8Array {
  const { n } = ix;
  const m = new Uint8Array(n * n);
  for (let b = 0; b < ix.rows; b++) {
    const r0 = b * BLOCK;
    const r1 = Math.min(n, r0 + BLOCK);
    for (let t = 0; t < ix.blockCount[b]; t++) {
      const c0 = ix.blockOffset[b * ix.nnzS + t];
      for (let i = r0; i < r1; i++)
        for (let j = c0; j < c0 + BLOCK && j < n; j++) if (j <= i) m[i * n + j] = 1;
    }
    for (let c = 0; c < ix.columnCount[b]; c++) {
      const j = ix.columnIndex[b * ix.nnzV + c];
      for (let i = r0; i < r1; i++) if (j <= i) m[i * n + j] = 1;
    }
  }
  return m;
}

/** Fraction of the n(n+1)/2 causal entries inside the mask. */
export function densityRef(mask: Uint8Array, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) c += mask[i * n + j];
  return c / ((n * (n + 1)) / 2);
}

/** Mean over query rows of the dense causal softmax mass inside the mask (MInference's score). */
export function recallRef(h: HeadRef, mask: Uint8Array, scale?: number): number {
  const { n } = h;
  const a = causalProbabilities(h, scale);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j <= i; j++) if (mask[i * n + j]) s += a[i * n + j];
    total += s;
  }
  return total / n;
}

/** Attention restricted to the index's entries (what the sparse kernel must return). */
export function sparseAttentionRef(h: HeadRef, ix: SparseIndexRef, scale?: number): Float64Array {
  const mask = maskOfIndex(ix);
  return maskedAttentionRef(h, (i, j) => mask[i * h.n + j] === 1, scale).out;
}

// ------------------------------------------------------------------ index builders

/**
 * A-shape: the first `init` keys (sink columns) and a local window of `local` keys behind each
 * query, as 64-aligned key blocks: for query block b, the key blocks from the one holding
 * 64b − local + 1 up to b. Sinks not already inside those blocks are single columns.
 */
export function aShapeIndexRef(n: number, init: number, local: number): SparseIndexRef {
  const rows = Math.ceil(n / BLOCK);
  const ix = emptyIndex(n, rows, Math.max(1, Math.min(init, n)));
  for (let b = 0; b < rows; b++) {
    const first = Math.max(0, Math.floor((b * BLOCK - Math.max(1, local) + 1) / BLOCK));
    for (let kb = first; kb <= b; kb++) ix.blockOffset[b * ix.nnzS + ix.blockCount[b]++] = kb * BLOCK;
    for (let j = 0; j < Math.min(init, n) && j < first * BLOCK; j++)
      ix.columnIndex[b * ix.nnzV + ix.columnCount[b]++] = j;
  }
  return ix;
}

/** Mean-pool rows of x (n × d) over 64-row blocks (the last block may be shorter). */
export function poolBlocksRef(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const rows = Math.ceil(n / BLOCK);
  const out = new Float64Array(rows * d);
  for (let b = 0; b < rows; b++) {
    const r1 = Math.min(n, (b + 1) * BLOCK);
    for (let i = b * BLOCK; i < r1; i++) for (let c = 0; c < d; c++) out[b * d + c] += x[i * d + c];
    for (let c = 0; c < d; c++) out[b * d + c] /= r1 - b * BLOCK;
  }
  return out;
}

/**
 * Indices of the k largest values, ties to the lower index, returned in ascending index order.
 * `forced` indices come first whatever their value (still within the k).
 */
export function topkRef(
  values: ArrayLike<number>,
  k: number,
  forced: (i: number) => boolean = () => false,
): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => {
    const fa = forced(a) ? 1 : 0;
    const fb = forced(b) ? 1 : 0;
    if (fa !== fb) return fb - fa;
    if (values[a] !== values[b]) return values[b] - values[a];
    return a - b;
  });
  return idx.slice(0, Math.min(k, values.length)).sort((a, b) => a - b);
}

/**
 * Block-sparse: block scores Q̄_a·K̄_bᵀ of the mean-pooled blocks under a block-causal mask; per
 * query block the top-k key blocks (the diagonal block always in), sorted.
 */
export function blockSparseIndexRef(h: HeadRef, topk: number): SparseIndexRef {
  const { n, d } = h;
  const rows = Math.ceil(n / BLOCK);
  const qp = poolBlocksRef(h.q, n, d);
  const kp = poolBlocksRef(h.k, n, d);
  const ix = emptyIndex(n, rows, 1);
  for (let a = 0; a < rows; a++) {
    const scores = new Float64Array(a + 1);
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += qp[a * d + c] * kp[b * d + c];
      scores[b] = s;
    }
    const keep = topkRef(scores, Math.max(1, topk), (b) => b === a);
    for (const b of keep) ix.blockOffset[a * ix.nnzS + ix.blockCount[a]++] = b * BLOCK;
  }
  return ix;
}

/** last_q = min(64, n): the queries whose attention scores the vertical-slash pattern. */
export const lastQ = (n: number) => Math.min(BLOCK, n);

/**
 * Vertical and slash scores: A_last = causal softmax of the last last_q queries against all keys;
 * vertical[j] = Σ_r A_last[r, j]; slash[o] = Σ_r A_last[r, i_r − o] (diagonal offset o = i − j).
 */
export function verticalSlashScoresRef(
  h: HeadRef,
  scale = 1 / Math.sqrt(h.d),
): { vertical: Float64Array; slash: Float64Array } {
  const { q, k, n, d } = h;
  const L = lastQ(n);
  const vertical = new Float64Array(n);
  const slash = new Float64Array(n);
  for (let r = 0; r < L; r++) {
    const i = n - L + r;
    const s = new Float64Array(i + 1);
    let m = -Infinity;
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += q[i * d + c] * k[j * d + c];
      s[j] = dot * scale;
      m = Math.max(m, s[j]);
    }
    let l = 0;
    for (let j = 0; j <= i; j++) l += Math.exp(s[j] - m);
    for (let j = 0; j <= i; j++) {
      const p = Math.exp(s[j] - m) / l;
      vertical[j] += p;
      slash[i - j] += p;
    }
  }
  return { vertical, slash };
}

/** Sink columns always kept by the vertical-slash builder (MInference keeps 30 at 1M scale). */
export const VS_SINKS = 8;
/** Smallest diagonal offsets always kept (offset 0 is the diagonal). */
export const VS_SMALL_OFFSETS = 8;

/** The vertical columns and slash offsets kept for budgets (vertical, slash), both ascending. */
export function verticalSlashSelectRef(
  h: HeadRef,
  vertical: number,
  slash: number,
  scale?: number,
): { columns: number[]; offsets: number[] } {
  const n = h.n;
  const sc = verticalSlashScoresRef(h, scale);
  const V = Math.max(1, Math.min(vertical, n));
  const S = Math.max(1, Math.min(slash, n));
  const columns = topkRef(sc.vertical, V, (j) => j < Math.min(VS_SINKS, V));
  const offsets = topkRef(sc.slash, S, (o) => o < Math.min(VS_SMALL_OFFSETS, S));
  return { columns, offsets };
}

/**
 * MInference's conversion of vertical columns and slash offsets into the index, per query block
 * [s, e = s + 64): each offset o becomes the key range ending at max(e − o, 64), 64 wide; ranges are
 * taken in increasing order, a range that starts within one block of the current one extends it by
 * a block, and each closed range is cut into 64-wide key blocks. Columns inside a range are dropped.
 */
export function verticalSlashIndexRef(n: number, columns: number[], offsets: number[]): SparseIndexRef {
  const rows = Math.ceil(n / BLOCK);
  const ix = emptyIndex(n, rows + 1, Math.max(1, columns.length));
  const cols = [...columns].sort((a, b) => a - b);
  const offs = [...offsets].sort((a, b) => b - a); // descending offset = ascending range end
  for (let b = 0; b < rows; b++) {
    const e = (b + 1) * BLOCK;
    const ends = offs.filter((o) => o < e).map((o) => Math.max(e - o, BLOCK));
    const saveRange = (lo: number, hi: number) => {
      for (let x = lo; x < hi; x += BLOCK) ix.blockOffset[b * ix.nnzS + ix.blockCount[b]++] = x;
    };
    const keepColumn = (j: number) => {
      ix.columnIndex[b * ix.nnzV + ix.columnCount[b]++] = j;
    };
    let vi = 0;
    if (ends.length === 0) {
      for (const j of cols) if (j < e) keepColumn(j);
      continue;
    }
    let lo = ends[0] - BLOCK;
    let hi = ends[0];
    for (let t = 1; t < ends.length; t++) {
      const end = ends[t];
      if (end <= hi) continue;
      if (end > hi + BLOCK) {
        while (vi < cols.length && cols[vi] < hi) {
          if (cols[vi] < lo) keepColumn(cols[vi]);
          vi++;
        }
        saveRange(lo, hi);
        lo = end - BLOCK;
        hi = end;
      } else hi += BLOCK;
    }
    while (vi < cols.length && cols[vi] < hi) {
      if (cols[vi] < lo) keepColumn(cols[vi]);
      vi++;
    }
    saveRange(lo, hi);
  }
  return ix;
}

// ------------------------------------------------------------------ MatryoshkaKV

/**
 * Eigendecomposition of a symmetric positive semidefinite n × n matrix (a covariance): values
 * descending, vectors as columns. For such a matrix it is the SVD, so this is src/reference's one
 * Jacobi SVD (./lowrank) rather than a second Jacobi solver.
 */
export function symEigRef(a: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  const { U, S } = svd(a, n, n);
  return { values: Float64Array.from(S), vectors: Float64Array.from(U) };
}

/** Mean (d) and covariance (d × d, divided by n) of the rows of x (n × d). */
export function meanCovRef(
  x: ArrayLike<number>,
  n: number,
  d: number,
): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c] += x[i * d + c] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) cov[a * d + b] += ((x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b])) / n;
  return { mean, cov };
}

/**
 * MatryoshkaKV attention at ranks (rK, rV) given the PCA bases Uk, Uv (d × d, columns by descending
 * eigenvalue) and means: q̃ = q·U_r, k̃ = (k − μ_k)·U_r, ṽ = (v − μ_v)·U_r,
 * logits = (q̃·k̃ᵀ + q·μ_kᵀ)/√d, o = softmax(logits)·ṽ·U_rᵀ + μ_v (causal).
 */
export function matryoshkaAttentionRef(
  h: HeadRef,
  pca: { muK: ArrayLike<number>; uK: ArrayLike<number>; muV: ArrayLike<number>; uV: ArrayLike<number> },
  rK: number,
  rV: number,
): Float64Array {
  const { q, k, v, n, d } = h;
  const proj = (x: ArrayLike<number>, mu: ArrayLike<number> | null, u: ArrayLike<number>, r: number) => {
    const out = new Float64Array(n * r);
    for (let i = 0; i < n; i++)
      for (let t = 0; t < r; t++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += (x[i * d + c] - (mu ? mu[c] : 0)) * u[c * d + t];
        out[i * r + t] = s;
      }
    return out;
  };
  const qt = proj(q, null, pca.uK, rK);
  const kt = proj(k, pca.muK, pca.uK, rK);
  const vt = proj(v, pca.muV, pca.uV, rV);
  const out = new Float64Array(n * d);
  const scale = 1 / Math.sqrt(d);
  for (let i = 0; i < n; i++) {
    let qmu = 0;
    for (let c = 0; c < d; c++) qmu += q[i * d + c] * pca.muK[c];
    const s = new Float64Array(i + 1);
    let m = -Infinity;
    for (let j = 0; j <= i; j++) {
      let dot = qmu;
      for (let t = 0; t < rK; t++) dot += qt[i * rK + t] * kt[j * rK + t];
      s[j] = dot * scale;
      m = Math.max(m, s[j]);
    }
    let l = 0;
    for (let j = 0; j <= i; j++) l += Math.exp(s[j] - m);
    const ot = new Float64Array(rV);
    for (let j = 0; j <= i; j++) {
      const p = Math.exp(s[j] - m) / l;
      for (let t = 0; t < rV; t++) ot[t] += p * vt[j * rV + t];
    }
    for (let c = 0; c < d; c++) {
      let o = pca.muV[c];
      for (let t = 0; t < rV; t++) o += ot[t] * pca.uV[c * d + t];
      out[i * d + c] = o;
    }
  }
  return out;
}

/** ‖a − b‖_F / ‖b‖_F. */
export function relErrorRef(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}
