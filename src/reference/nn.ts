/**
 * float64 oracles of the ops a transformer needs: plain loops over row-major arrays, importing
 * nothing outside src/reference. Shapes are passed explicitly.
 */

/** Mean over valid rows of −log softmax(logits[r])[t_r]; rows with t = ignoreIndex (or out of range) skipped. */
export function crossEntropy(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  rows: number,
  cols: number,
  ignoreIndex = -100,
  reduction: 'mean' | 'sum' = 'mean',
): number {
  let total = 0;
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === ignoreIndex || t < 0 || t >= cols) continue;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, logits[r * cols + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(logits[r * cols + c] - m);
    total += m + Math.log(s) - logits[r * cols + t];
    count++;
  }
  if (reduction === 'sum') return total;
  return count === 0 ? 0 : total / count;
}

/** LayerNorm over the last axis (biased variance, eps inside the root): y = (x − μ)/σ · γ + β. */
export function layerNorm(
  x: ArrayLike<number>,
  gamma: ArrayLike<number> | null,
  beta: ArrayLike<number> | null,
  rows: number,
  cols: number,
  eps = 1e-5,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let mu = 0;
    for (let c = 0; c < cols; c++) mu += x[r * cols + c];
    mu /= cols;
    let v = 0;
    for (let c = 0; c < cols; c++) v += (x[r * cols + c] - mu) ** 2;
    v /= cols;
    const rs = 1 / Math.sqrt(v + eps);
    for (let c = 0; c < cols; c++)
      out[r * cols + c] = (x[r * cols + c] - mu) * rs * (gamma ? gamma[c] : 1) + (beta ? beta[c] : 0);
  }
  return out;
}

/** RMSNorm over the last axis: y = x / sqrt(mean(x²) + eps) · γ. */
export function rmsNorm(
  x: ArrayLike<number>,
  gamma: ArrayLike<number> | null,
  rows: number,
  cols: number,
  eps = 1e-5,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let ms = 0;
    for (let c = 0; c < cols; c++) ms += x[r * cols + c] ** 2;
    const rs = 1 / Math.sqrt(ms / cols + eps);
    for (let c = 0; c < cols; c++) out[r * cols + c] = x[r * cols + c] * rs * (gamma ? gamma[c] : 1);
  }
  return out;
}

/**
 * Symmetric d × d matrices from their upper triangles: tri [heads, d(d+1)/2] holds, per head, the
 * rows of the upper triangle in order (W[0, 0 … d−1], W[1, 1 … d−1], …); out [heads, d, d] with
 * W[i, j] = W[j, i] (a running counter walks the triangle, no closed-form index).
 */
export function symmetricFromTriangle(tri: ArrayLike<number>, heads: number, d: number): Float64Array {
  const out = new Float64Array(heads * d * d);
  let k = 0;
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) {
        out[h * d * d + i * d + j] = tri[k];
        out[h * d * d + j * d + i] = tri[k];
        k++;
      }
  if (k !== tri.length)
    throw new Error(`a triangle of ${heads} × d = ${d} holds ${k} numbers, got ${tri.length}`);
  return out;
}

/** out[i, :] = table[ids[i], :] (table vocab × dim). */
export function embedding(table: ArrayLike<number>, ids: ArrayLike<number>, dim: number): Float64Array {
  const out = new Float64Array(ids.length * dim);
  for (let i = 0; i < ids.length; i++)
    for (let d = 0; d < dim; d++) out[i * dim + d] = table[ids[i] * dim + d];
  return out;
}

function strides(shape: readonly number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = i % shape[k];
    i = Math.floor(i / shape[k]);
  }
  return idx;
}

/** out = x with axes reordered: out.shape[k] = x.shape[perm[k]]. */
export function permute(
  x: ArrayLike<number>,
  shape: readonly number[],
  perm: readonly number[],
): Float64Array {
  const outShape = perm.map((p) => shape[p]);
  const xs = strides(shape);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, outShape);
    let src = 0;
    for (let k = 0; k < perm.length; k++) src += idx[k] * xs[perm[k]];
    out[i] = x[src];
  }
  return out;
}

/** x[..., start:start+length, ...] along `axis`. */
export function slice(
  x: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
  start: number,
  length: number,
): Float64Array {
  const outShape = shape.map((d, k) => (k === axis ? length : d));
  const xs = strides(shape);
  const n = outShape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, outShape);
    let src = 0;
    for (let k = 0; k < shape.length; k++) src += (k === axis ? idx[k] + start : idx[k]) * xs[k];
    out[i] = x[src];
  }
  return out;
}

/** Concatenate along `axis` (every other size equal). */
export function concat(
  xs: Array<ArrayLike<number>>,
  shapes: Array<readonly number[]>,
  axis: number,
): Float64Array {
  const total = shapes.reduce((a, s) => a + s[axis], 0);
  const outShape = shapes[0].map((d, k) => (k === axis ? total : d));
  const n = outShape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, outShape);
    let j = 0;
    let a = idx[axis];
    while (a >= shapes[j][axis]) a -= shapes[j++][axis];
    const ss = strides(shapes[j]);
    let src = 0;
    for (let k = 0; k < idx.length; k++) src += (k === axis ? a : idx[k]) * ss[k];
    out[i] = xs[j][src];
  }
  return out;
}

/** out[i] = cond[i % cond.length] ≠ 0 ? a[i] : b[i % b.length]. */
export function where(cond: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = cond[i % cond.length] !== 0 ? a[i] : b[i % b.length];
  return out;
}

/** Over trailing [T, S] matrices: entries with column j > row i + offset become `fill`. */
export function causalMask(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  fill: number,
  offset = 0,
): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % cols;
    const r = Math.floor(i / cols) % rows;
    out[i] = c > r + offset ? fill : x[i];
  }
  return out;
}

/** Mean and variance (with a correction: 0 biased, 1 unbiased) over one axis. */
export function meanVar(
  x: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
  correction = 0,
): { mean: Float64Array; variance: Float64Array } {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const len = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const mean = new Float64Array(outer * inner);
  const variance = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let m = 0;
      for (let l = 0; l < len; l++) m += x[(o * len + l) * inner + i];
      m /= len;
      let v = 0;
      for (let l = 0; l < len; l++) v += (x[(o * len + l) * inner + i] - m) ** 2;
      mean[o * inner + i] = m;
      variance[o * inner + i] = v / (len - correction);
    }
  return { mean, variance };
}

// ------------------------------------------------------------------ Philox 4x32-10

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** 32 × 32 → 64-bit product as [hi, lo] (exact, via 16-bit halves). */
function mulhilo(a: number, b: number): [number, number] {
  const lo = Math.imul(a, b) >>> 0;
  const aH = a >>> 16;
  const aL = a & 0xffff;
  const bH = b >>> 16;
  const bL = b & 0xffff;
  const mid1 = aH * bL;
  const mid2 = aL * bH;
  const carry = ((aL * bL) >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff);
  const hi = (aH * bH + (mid1 >>> 16) + (mid2 >>> 16) + Math.floor(carry / 65536)) >>> 0;
  return [hi, lo];
}

/** Philox4x32-10 (Salmon et al., SC 2011) of counter c (4 words) under key k (2 words). */
export function philox4x32(c: readonly number[], k: readonly number[]): [number, number, number, number] {
  let [c0, c1, c2, c3] = c.map((v) => v >>> 0);
  let [k0, k1] = k.map((v) => v >>> 0);
  for (let r = 0; r < 10; r++) {
    const [hi0, lo0] = mulhilo(M0, c0);
    const [hi1, lo1] = mulhilo(M1, c2);
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/**
 * The dropout keep-mask: element 4q + j keeps when word j of philox(counter = [c mod 2³², ⌊c / 2³²⌋, 0, 0]
 * with c = offset + q, key = [seed, 0]) satisfies (word >>> 8) ≥ ⌈p · 2²⁴⌉.
 */
export function dropoutMask(n: number, p: number, seed: number, offset = 0): Uint8Array {
  const out = new Uint8Array(n);
  const threshold = Math.ceil(p * 2 ** 24);
  for (let q = 0; q < Math.ceil(n / 4); q++) {
    const ctr = offset + q;
    const w = philox4x32([ctr % 2 ** 32, Math.floor(ctr / 2 ** 32), 0, 0], [seed, 0]);
    for (let j = 0; j < 4 && 4 * q + j < n; j++) out[4 * q + j] = w[j] >>> 8 >= threshold ? 1 : 0;
  }
  return out;
}

/** Inverted dropout: x · mask / (1 − p). */
export function dropout(x: ArrayLike<number>, p: number, seed: number, offset = 0): Float64Array {
  const mask = dropoutMask(x.length, p, seed, offset);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = mask[i] ? x[i] / (1 - p) : 0;
  return out;
}
