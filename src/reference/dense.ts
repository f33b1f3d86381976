/**
 * float64 CPU oracle for the dense tensor ops. Plain loops, written for clarity, not speed:
 * tests compare every GPU kernel with these. Arrays are row-major with an explicit shape.
 */

export interface Arr {
  data: Float64Array;
  shape: number[];
}

export const arr = (data: ArrayLike<number>, shape: number[]): Arr => ({
  data: Float64Array.from(data),
  shape,
});

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * The oracle's one matrix product: alpha·op(A)·op(B) for row-major A (ar × ac) and B (br × bc), op a
 * transpose when asked. Every other product in src/reference (batched matmul, the linalg and
 * low-rank helpers) calls this loop.
 */
export function matmul64(
  a: ArrayLike<number>,
  ar: number,
  ac: number,
  b: ArrayLike<number>,
  br: number,
  bc: number,
  transA = false,
  transB = false,
  alpha = 1,
): Float64Array {
  const M = transA ? ac : ar;
  const K = transA ? ar : ac;
  const K2 = transB ? bc : br;
  const N = transB ? br : bc;
  if (K !== K2) throw new Error(`matmul64: inner sizes differ (${K} vs ${K2})`);
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const x = transA ? a[k * ac + i] : a[i * ac + k];
        const y = transB ? b[j * bc + k] : b[k * bc + j];
        s += x * y;
      }
      out[i * N + j] = alpha * s;
    }
  return out;
}

/** alpha·op(A)·op(B), batched with broadcast of a batch of 1 (same contract as ops.matmul). */
export function matmul(a: Arr, b: Arr, transA = false, transB = false, alpha = 1): Arr {
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const M = transA ? ac : ar;
  const N = transB ? br : bc;
  const batchA = a.shape.length === 3 ? a.shape[0] : 1;
  const batchB = b.shape.length === 3 ? b.shape[0] : 1;
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    const oa = batchA === 1 ? 0 : z * ar * ac;
    const ob = batchB === 1 ? 0 : z * br * bc;
    const A = a.data.subarray(oa, oa + ar * ac);
    const B = b.data.subarray(ob, ob + br * bc);
    out.set(matmul64(A, ar, ac, B, br, bc, transA, transB, alpha), z * M * N);
  }
  const shape = a.shape.length === 3 || b.shape.length === 3 ? [batch, M, N] : [M, N];
  return { data: out, shape };
}

/** ‖a‖_F: the oracle's one Frobenius norm. */
export function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

export const GELU_C = 0.044715;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const unaryFns = {
  relu: (v: number) => Math.max(v, 0),
  gelu: (v: number) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v ** 3))),
  tanh: Math.tanh,
  exp: Math.exp,
  neg: (v: number) => -v,
  abs: Math.abs,
  square: (v: number) => v * v,
  sqrt: Math.sqrt,
} as const;

export function map(a: Arr, f: (v: number) => number): Arr {
  return { data: a.data.map(f), shape: [...a.shape] };
}

/** Elementwise f(a, b) with b broadcast as a suffix (b index = i mod b.size). */
export function zip(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[i % b.data.length]);
  return { data: out, shape: [...a.shape] };
}

export type RefReduce = 'sum' | 'mean' | 'max' | 'min' | 'sumsq' | 'fro' | 'l1' | 'inf';

/** Reduce over one axis (dropping it) or over everything (shape [1]). */
export function reduce(a: Arr, op: RefReduce, axis?: number): Arr {
  const ax = axis === undefined ? -1 : axis < 0 ? axis + a.shape.length : axis;
  const outer = ax < 0 ? 1 : prod(a.shape.slice(0, ax));
  const len = ax < 0 ? a.data.length : a.shape[ax];
  const inner = ax < 0 ? 1 : prod(a.shape.slice(ax + 1));
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const vals: number[] = [];
      for (let l = 0; l < len; l++) vals.push(a.data[(o * len + l) * inner + i]);
      out[o * inner + i] = reduceList(vals, op);
    }
  let shape = ax < 0 ? [1] : a.shape.filter((_, i) => i !== ax);
  if (shape.length === 0) shape = [1];
  return { data: out, shape };
}

function reduceList(v: number[], op: RefReduce): number {
  switch (op) {
    case 'sum':
      return v.reduce((p, q) => p + q, 0);
    case 'mean':
      return v.reduce((p, q) => p + q, 0) / v.length;
    case 'max':
      return Math.max(...v);
    case 'min':
      return Math.min(...v);
    case 'sumsq':
      return v.reduce((p, q) => p + q * q, 0);
    case 'fro':
      return Math.sqrt(v.reduce((p, q) => p + q * q, 0));
    case 'l1':
      return v.reduce((p, q) => p + Math.abs(q), 0);
    case 'inf':
      return Math.max(...v.map(Math.abs));
  }
}

/** Softmax over the last axis. */
export function softmax(a: Arr): Arr {
  const cols = a.shape[a.shape.length - 1];
  const out = new Float64Array(a.data.length);
  for (let r = 0; r < a.data.length / cols; r++) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, a.data[r * cols + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(a.data[r * cols + c] - m);
    for (let c = 0; c < cols; c++) out[r * cols + c] = Math.exp(a.data[r * cols + c] - m) / s;
  }
  return { data: out, shape: [...a.shape] };
}

/** Swap the last two axes. */
export function transpose(a: Arr): Arr {
  const R = a.shape[a.shape.length - 2];
  const C = a.shape[a.shape.length - 1];
  const batch = a.data.length / (R * C);
  const out = new Float64Array(a.data.length);
  for (let z = 0; z < batch; z++)
    for (let r = 0; r < R; r++)
      for (let c = 0; c < C; c++) out[z * R * C + c * R + r] = a.data[z * R * C + r * C + c];
  return { data: out, shape: [...a.shape.slice(0, -2), C, R] };
}

/** Max |a − b| / (1 + max |b|): the error measure the tests bound. */
export function relMaxError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  if (got.length !== want.length) return Infinity;
  return err / (1 + scale);
}

/**
 * Central finite differences of a scalar function f at x (f64), the oracle for backward passes.
 */
export function numericGrad(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  const y = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    y[i] = x[i] + h;
    const fp = f(y);
    y[i] = x[i] - h;
    const fm = f(y);
    y[i] = x[i];
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}
