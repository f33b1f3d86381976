/**
 * float64 CPU oracle for the sparse families (sparse, nm-sparse, sparse+lowrank). Plain loops over
 * dense row-major arrays, written independently of the GPU code paths: tests compare with these.
 */
import { type Arr, frobenius } from './dense';

/** Dense W (rows × cols) from CSR arrays. */
export function csrToDense(
  rows: number,
  cols: number,
  rowPtr: ArrayLike<number>,
  colIdx: ArrayLike<number>,
  vals: ArrayLike<number>,
): Float64Array {
  const w = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let j = rowPtr[r]; j < rowPtr[r + 1]; j++) w[r * cols + colIdx[j]] = vals[j];
  return w;
}

/** Y = X·Wᵀ for CSR W (rows × cols) and X [batch, cols]: Y [batch, rows]. */
export function spmm(
  rows: number,
  cols: number,
  rowPtr: ArrayLike<number>,
  colIdx: ArrayLike<number>,
  vals: ArrayLike<number>,
  x: Arr,
): Arr {
  const batch = x.data.length / cols;
  const y = new Float64Array(batch * rows);
  for (let b = 0; b < batch; b++)
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = rowPtr[r]; j < rowPtr[r + 1]; j++) s += vals[j] * x.data[b * cols + colIdx[j]];
      y[b * rows + r] = s;
    }
  return { data: y, shape: [batch, rows] };
}

/** Y = X·Wᵀ for dense W (rows × cols). */
export function denseApply(w: ArrayLike<number>, rows: number, cols: number, x: Arr): Arr {
  const batch = x.data.length / cols;
  const y = new Float64Array(batch * rows);
  for (let b = 0; b < batch; b++)
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += w[r * cols + c] * x.data[b * cols + c];
      y[b * rows + r] = s;
    }
  return { data: y, shape: [batch, rows] };
}

/**
 * Best k-sparse approximation of w in Frobenius norm: the k largest |w| (ties: smaller flat index
 * first), by a full comparison sort. Returns the projected dense matrix.
 */
export function topK(w: ArrayLike<number>, k: number): Float64Array {
  const idx = Array.from({ length: w.length }, (_, i) => i);
  idx.sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b);
  const out = new Float64Array(w.length);
  for (let t = 0; t < k; t++) out[idx[t]] = w[idx[t]];
  return out;
}

/** N:M projection: in each group of m consecutive entries of a row keep the n largest |w|. */
export function nmProject(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  n: number,
  m: number,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let g = 0; g < cols; g += m) {
      const idx = Array.from({ length: m }, (_, i) => r * cols + g + i);
      idx.sort((a, b) => Math.abs(w[b]) - Math.abs(w[a]) || a - b);
      for (let t = 0; t < n; t++) out[idx[t]] = w[idx[t]];
    }
  return out;
}

/** ‖a − b‖_F. */
export function frobDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** ‖a‖_F. */
export const frob = frobenius;

/** Dense B·A + S (B rows × r, A r × cols, S dense rows × cols). */
export function lowRankPlusSparse(
  b: ArrayLike<number>,
  a: ArrayLike<number>,
  s: ArrayLike<number>,
  rows: number,
  cols: number,
  rank: number,
): Float64Array {
  const w = Float64Array.from(s);
  for (let i = 0; i < rows; i++)
    for (let t = 0; t < rank; t++) {
      const bv = b[i * rank + t];
      for (let j = 0; j < cols; j++) w[i * cols + j] += bv * a[t * cols + j];
    }
  return w;
}
