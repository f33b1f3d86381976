/**
 * Tensor ops. Each op validates shapes (ShapeError naming them), dispatches its WGSL kernel and,
 * when an input requires gradients, records its backward next to its forward.
 */
import { ShapeError } from '../gpu/errors';
import { needsGrad, record } from './autograd';
import {
  type BinaryOp,
  binaryKernel,
  gemmPlan,
  type ReduceOp,
  reduceKernel,
  softmaxKernel,
  transposeKernel,
  type UnaryOp,
  unaryKernel,
} from './kernels';
import { Tensor } from './tensor';

const fmt = (t: Tensor) => `[${t.shape.join(', ')}]`;

function sameGpu(a: Tensor, b: Tensor): void {
  if (a.gpu !== b.gpu) throw new ShapeError('tensors live on different GPU devices');
}

/** f32 ops refuse integer tensors with a message naming the op. */
export function assertF32(op: string, ...ts: Tensor[]): void {
  for (const t of ts)
    if (t.dtype !== 'f32') throw new ShapeError(`${op} takes f32 tensors, got a ${t.dtype} tensor ${fmt(t)}`);
}

// ------------------------------------------------------------------ GEMM

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
}

/**
 * Batched matrix product alpha·op(A)·op(B). A is [M, K] or [batch, M, K] (stored [K, M] when
 * transA), B likewise; a batch of 1 broadcasts. Returns [M, N] when both are 2-D, else [batch, M, N].
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  sameGpu(a, b);
  assertF32('matmul', a, b);
  const { transA = false, transB = false, alpha = 1 } = opts;
  if (a.rank < 2 || a.rank > 3 || b.rank < 2 || b.rank > 3)
    throw new ShapeError(`matmul takes 2-D or 3-D tensors, got ${fmt(a)} and ${fmt(b)}`);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const M = transA ? ac : ar;
  const K = transA ? ar : ac;
  const Kb = transB ? bc : br;
  const N = transB ? br : bc;
  if (K !== Kb)
    throw new ShapeError(
      `matmul: inner sizes differ: ${fmt(a)}${transA ? 'ᵀ' : ''} · ${fmt(b)}${transB ? 'ᵀ' : ''} (${K} vs ${Kb})`,
    );
  const batchA = a.rank === 3 ? a.shape[0] : 1;
  const batchB = b.rank === 3 ? b.shape[0] : 1;
  if (batchA !== batchB && batchA !== 1 && batchB !== 1)
    throw new ShapeError(`matmul: batch sizes ${batchA} and ${batchB} differ (one may be 1)`);
  const batch = Math.max(batchA, batchB);
  const shape = a.rank === 3 || b.rank === 3 ? [batch, M, N] : [M, N];
  const out = Tensor.empty(a.gpu, shape, 'A matmul result');
  const plan = gemmPlan(a.gpu, M, N, K, batch, transA, transB);
  a.gpu.dispatch(
    plan.kernel,
    { a: a.buffer, b: b.buffer, c: out.buffer },
    {
      M,
      N,
      K,
      strideA: batchA === 1 ? 0 : M * K,
      strideB: batchB === 1 ? 0 : K * N,
      strideC: M * N,
      alpha,
    },
    plan.workgroups,
  );
  return record(out, [a, b], (g) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (needsGrad(a)) {
      // d op(A) = alpha · dC · op(B)ᵀ ; when A is stored transposed, dA = (that)ᵀ = alpha · op(B) · dCᵀ.
      da = transA
        ? matmul(b, g, { transA: transB, transB: true, alpha })
        : matmul(g, b, { transB: !transB, alpha });
      if (batchA === 1 && batch > 1) da = sumBatch(da);
    }
    if (needsGrad(b)) {
      // d op(B) = alpha · op(A)ᵀ · dC ; when B is stored transposed, dB = alpha · dCᵀ · op(A).
      db = transB
        ? matmul(g, a, { transA: true, transB: transA, alpha })
        : matmul(a, g, { transA: !transA, alpha });
      if (batchB === 1 && batch > 1) db = sumBatch(db);
    }
    return [da, db];
  });
}

function sumBatch(t: Tensor): Tensor {
  const s = sum(t, 0);
  t.dispose();
  return s;
}

// ------------------------------------------------------------------ elementwise

function unary(op: UnaryOp, x: Tensor, alpha = 1): Tensor {
  assertF32(op, x);
  const out = Tensor.empty(x.gpu, x.shape, `The result of ${op}`);
  x.gpu.dispatch(
    unaryKernel(op),
    { x: x.buffer, out: out.buffer },
    { n: x.size, ySize: 1, alpha, beta: 0 },
    x.gpu.grid1d(Math.ceil(x.size / 256)),
  );
  return out;
}

function binary(op: BinaryOp, x: Tensor, y: Tensor, alpha = 1, beta = 1): Tensor {
  sameGpu(x, y);
  assertF32(op, x, y);
  checkBroadcast(x, y, op);
  const out = Tensor.empty(x.gpu, x.shape, `The result of ${op}`);
  x.gpu.dispatch(
    binaryKernel(op),
    { x: x.buffer, y: y.buffer, out: out.buffer },
    { n: x.size, ySize: y.size, alpha, beta },
    x.gpu.grid1d(Math.ceil(x.size / 256)),
  );
  return out;
}

/** y must equal x's shape, be a suffix of it (bias over rows), or hold one element. */
function checkBroadcast(x: Tensor, y: Tensor, op: string): void {
  if (y.size === 1 || y.size === x.size) {
    if (y.size === x.size && y.size !== 1 && !sameDims(x.shape, y.shape))
      throw new ShapeError(`${op}: shapes ${fmt(x)} and ${fmt(y)} differ`);
    return;
  }
  const ys = stripOnes(y.shape);
  const xs = x.shape.slice(x.shape.length - ys.length);
  if (ys.length > x.shape.length || !sameDims(xs, ys))
    throw new ShapeError(`${op}: ${fmt(y)} does not broadcast onto ${fmt(x)} (it must match trailing sizes)`);
}

function stripOnes(s: readonly number[]): number[] {
  let i = 0;
  while (i < s.length - 1 && s[i] === 1) i++;
  return s.slice(i);
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  const sa = stripOnes(a);
  const sb = stripOnes(b);
  return sa.length === sb.length && sa.every((d, i) => d === sb[i]);
}

/** Sum a gradient of x's shape down to a broadcast operand's shape. */
function reduceTo(g: Tensor, shape: readonly number[]): Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  if (n === g.size) return g.reshape(shape);
  const s = sum(g.reshape([g.size / n, n]), 0);
  const r = s.reshape(shape);
  s.dispose();
  return r;
}

/** Elementwise order: the larger operand first (commutative ops accept a broadcast on either side). */
function ordered(a: Tensor, b: Tensor): [Tensor, Tensor, boolean] {
  return b.size > a.size ? [b, a, true] : [a, b, false];
}

/** alpha·a + beta·b (b may broadcast; for a sum either side may). */
export function axpby(alpha: number, a: Tensor, beta: number, b: Tensor): Tensor {
  const [x, y, swapped] = ordered(a, b);
  const [ax, by] = swapped ? [beta, alpha] : [alpha, beta];
  const out = binary('axpby', x, y, ax, by);
  return record(out, [x, y], (g) => [
    needsGrad(x) ? scale(g, ax) : null,
    needsGrad(y) ? reduceScaled(g, y.shape, by) : null,
  ]);
}

function reduceScaled(g: Tensor, shape: readonly number[], s: number): Tensor {
  const r = reduceTo(g, shape);
  if (s === 1) return r;
  const out = scale(r, s);
  r.dispose();
  return out;
}

export const add = (a: Tensor, b: Tensor): Tensor => axpby(1, a, 1, b);

export function sub(a: Tensor, b: Tensor): Tensor {
  if (b.size > a.size)
    throw new ShapeError(`sub: ${fmt(b)} is larger than ${fmt(a)}; only the right side broadcasts`);
  return axpby(1, a, -1, b);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  const [x, y] = ordered(a, b);
  const out = binary('mul', x, y);
  return record(out, [x, y], (g) => [
    needsGrad(x) ? binary('mul', g, y) : null,
    needsGrad(y) ? reduceOwned(binary('mul', g, x), y.shape) : null,
  ]);
}

function reduceOwned(t: Tensor, shape: readonly number[]): Tensor {
  const r = reduceTo(t, shape);
  if (r !== t) t.dispose();
  return r;
}

export function div(a: Tensor, b: Tensor): Tensor {
  if (b.size > a.size)
    throw new ShapeError(`div: ${fmt(b)} is larger than ${fmt(a)}; only the divisor broadcasts`);
  const out = binary('div', a, b);
  return record(out, [a, b], (g) => {
    const da = needsGrad(a) ? binary('div', g, b) : null;
    let db: Tensor | null = null;
    if (needsGrad(b)) {
      // d/db (a/b) = −a/b² = −out/b
      const t1 = binary('mul', g, out, -1);
      const t2 = binary('div', t1, b);
      t1.dispose();
      db = reduceOwned(t2, b.shape);
    }
    return [da, db];
  });
}

export function scale(x: Tensor, s: number): Tensor {
  const out = unary('copy', x, s);
  return record(out, [x], (g) => [scale(g, s)]);
}

export const neg = (x: Tensor): Tensor => scale(x, -1);

export function relu(x: Tensor): Tensor {
  return record(unary('relu', x), [x], (g) => [binary('reluGrad', g, x)]);
}

/** GELU, tanh approximation (as GPT-2 and PyTorch's approximate='tanh'). */
export function gelu(x: Tensor): Tensor {
  return record(unary('gelu', x), [x], (g) => [binary('geluGrad', g, x)]);
}

export function tanh(x: Tensor): Tensor {
  const out = unary('tanh', x);
  return record(out, [x], (g) => [binary('tanhGrad', g, out)]);
}

export function exp(x: Tensor): Tensor {
  const out = unary('exp', x);
  return record(out, [x], (g) => [binary('mul', g, out)]);
}

export function abs(x: Tensor): Tensor {
  return record(unary('abs', x), [x], (g) => [binary('absGrad', g, x)]);
}

export function square(x: Tensor): Tensor {
  return record(unary('square', x), [x], (g) => [binary('mul', g, x, 2)]);
}

export function sqrt(x: Tensor): Tensor {
  const out = unary('sqrt', x);
  return record(out, [x], (g) => {
    const t = binary('div', g, out);
    const r = unary('copy', t, 0.5);
    t.dispose();
    return [r];
  });
}

/** A copy with its own storage (no gradient link). */
export function clone(x: Tensor): Tensor {
  return unary('copy', x);
}

// ------------------------------------------------------------------ reductions

interface ReduceOpts {
  scale?: number;
  sqrt?: boolean;
  keepDims?: boolean;
}

function reduceRaw(x: Tensor, op: ReduceOp, axis: number | undefined, o: ReduceOpts = {}): Tensor {
  assertF32(op, x);
  let outer = 1;
  let len = x.size;
  let inner = 1;
  let shape: number[] = [1];
  if (axis !== undefined) {
    const ax = axis < 0 ? axis + x.rank : axis;
    if (!Number.isInteger(ax) || ax < 0 || ax >= x.rank)
      throw new ShapeError(`reduction axis ${axis} is out of range for ${fmt(x)}`);
    outer = x.shape.slice(0, ax).reduce((p, q) => p * q, 1);
    len = x.shape[ax];
    inner = x.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
    shape = o.keepDims ? x.shape.map((d, i) => (i === ax ? 1 : d)) : x.shape.filter((_, i) => i !== ax);
    if (shape.length === 0) shape = [1];
  } else if (o.keepDims) shape = x.shape.map(() => 1);
  const out = Tensor.empty(x.gpu, shape, `The result of ${op}`);
  const rows = inner === 1;
  x.gpu.dispatch(
    reduceKernel(op, rows, o.sqrt ?? false),
    { x: x.buffer, out: out.buffer },
    { outer, len, inner, scale: o.scale ?? 1 },
    x.gpu.grid1d(rows ? outer : Math.ceil((outer * inner) / 64)),
  );
  return out;
}

/** Broadcast g (x reduced over `axis`, or over everything) back to x's shape. */
function expandBack(g: Tensor, x: Tensor, axis: number | undefined): Tensor {
  const ax = axis === undefined ? undefined : axis < 0 ? axis + x.rank : axis;
  const outer = ax === undefined ? 1 : x.shape.slice(0, ax).reduce((p, q) => p * q, 1);
  const len = ax === undefined ? x.size : x.shape[ax];
  const inner = ax === undefined ? 1 : x.shape.slice(ax + 1).reduce((p, q) => p * q, 1);
  // out[o, l, i] = g[o, i]: a batched outer product ones[len, 1] · g[o][1, inner].
  const ones = Tensor.full(x.gpu, [len, 1], 1);
  const gv = g.reshape([outer, 1, inner]);
  const e = matmul(ones, gv);
  ones.dispose();
  gv.dispose();
  const r = e.reshape(x.shape);
  e.dispose();
  return r;
}

function sumLike(x: Tensor, axis: number | undefined, s: number, keepDims?: boolean): Tensor {
  const out = reduceRaw(x, 'sum', axis, { scale: s, keepDims });
  return record(out, [x], (g) => {
    const e = expandBack(g, x, axis);
    if (s === 1) return [e];
    const r = scale(e, s);
    e.dispose();
    return [r];
  });
}

/** Sum over one axis, or over everything (shape [1]). */
export function sum(x: Tensor, axis?: number, keepDims = false): Tensor {
  return sumLike(x, axis, 1, keepDims);
}

export function mean(x: Tensor, axis?: number, keepDims = false): Tensor {
  const len = axis === undefined ? x.size : x.shape[axis < 0 ? axis + x.rank : axis];
  return sumLike(x, axis, 1 / len, keepDims);
}

function notDifferentiable(name: string) {
  return (): never => {
    throw new Error(`${name} has no gradient here; use it on values, not inside a loss`);
  };
}

/** The gradient of a max / min: g split evenly over the entries equal to the extreme (as torch.amax). */
function extremeGrad(x: Tensor, out: Tensor, axis: number | undefined, keepDims: boolean) {
  return (g: Tensor): Tensor[] => {
    const e = expandBack(out, x, axis);
    const hit = binary('eq', x, e);
    e.dispose();
    const count = reduceRaw(hit, 'sum', axis, { keepDims });
    const q = binary('div', g, count);
    count.dispose();
    const qe = expandBack(q, x, axis);
    q.dispose();
    const dx = binary('mul', qe, hit);
    qe.dispose();
    hit.dispose();
    return [dx];
  };
}

/** Max over one axis or everything; its gradient goes to the maximal entries (split evenly on ties). */
export function max(x: Tensor, axis?: number, keepDims = false): Tensor {
  const out = reduceRaw(x, 'max', axis, { keepDims });
  return record(out, [x], extremeGrad(x, out, axis, keepDims));
}

/** Min over one axis or everything; its gradient goes to the minimal entries (split evenly on ties). */
export function min(x: Tensor, axis?: number, keepDims = false): Tensor {
  const out = reduceRaw(x, 'min', axis, { keepDims });
  return record(out, [x], extremeGrad(x, out, axis, keepDims));
}

export interface VarianceOptions {
  /** Divide by len − correction: 0 (default) the biased (population) variance, 1 the unbiased. */
  correction?: number;
  keepDims?: boolean;
}

/** Variance over one axis or everything (two passes: mean, then squared deviations). */
export function variance(x: Tensor, axis?: number, opts: VarianceOptions = {}): Tensor {
  const { correction = 0, keepDims = false } = opts;
  assertF32('variance', x);
  const len = axis === undefined ? x.size : x.shape[axis < 0 ? axis + x.rank : axis];
  if (len === undefined) throw new ShapeError(`reduction axis ${axis} is out of range for ${fmt(x)}`);
  if (!(len - correction > 0))
    throw new ShapeError(
      `variance: correction ${correction} leaves no degrees of freedom over ${len} values`,
    );
  const mu = reduceRaw(x, 'sum', axis, { scale: 1 / len, keepDims: true });
  const e = expandBack(mu, x, axis);
  mu.dispose();
  const d = binary('axpby', x, e, 1, -1);
  e.dispose();
  const s = 1 / (len - correction);
  const out = reduceRaw(d, 'sumsq', axis, { scale: s, keepDims });
  const res = record(out, [x], (g) => {
    // d var / dx = 2 (x − μ) / (len − correction); the μ term cancels.
    const ge = expandBack(g, x, axis);
    const dx = binary('mul', ge, d, 2 * s);
    ge.dispose();
    return [dx];
  });
  if (res.backwardFn) res.own(d);
  else d.dispose();
  return res;
}

/** Mean and variance over one axis (or everything), each differentiable. */
export function meanVar(
  x: Tensor,
  axis?: number,
  opts: VarianceOptions = {},
): { mean: Tensor; variance: Tensor } {
  return { mean: mean(x, axis, opts.keepDims ?? false), variance: variance(x, axis, opts) };
}

/** Σ x² over an axis or everything. */
export function sumSquares(x: Tensor, axis?: number, keepDims = false): Tensor {
  const out = reduceRaw(x, 'sumsq', axis, { keepDims });
  return record(out, [x], (g) => {
    const e = expandBack(g, x, axis);
    const r = binary('mul', e, x, 2);
    e.dispose();
    return [r];
  });
}

export type NormOrd = 'fro' | 'l1' | 'inf';

/** Vector norm over an axis or the whole tensor: 'fro' (L2 / Frobenius), 'l1', or 'inf' (max |x|). */
export function norm(x: Tensor, ord: NormOrd = 'fro', axis?: number, keepDims = false): Tensor {
  if (ord === 'inf')
    return record(reduceRaw(x, 'maxabs', axis, { keepDims }), [x], notDifferentiable('inf-norm'));
  if (ord === 'l1') {
    const out = reduceRaw(x, 'sumabs', axis, { keepDims });
    return record(out, [x], (g) => {
      const e = expandBack(g, x, axis);
      const r = binary('absGrad', e, x);
      e.dispose();
      return [r];
    });
  }
  const out = reduceRaw(x, 'sumsq', axis, { keepDims, sqrt: true });
  return record(out, [x], (g) => {
    // d‖x‖ = x / ‖x‖ · g
    const q = binary('div', g, out);
    const e = expandBack(q, x, axis);
    q.dispose();
    const r = binary('mul', e, x);
    e.dispose();
    return [r];
  });
}

// ------------------------------------------------------------------ softmax, transpose

function rowGrid(x: Tensor): { rows: number; cols: number; grid: [number, number] } {
  const cols = x.shape[x.rank - 1];
  const rows = x.size / cols;
  return { rows, cols, grid: x.gpu.grid1d(rows) };
}

/** Softmax over the last axis. */
export function softmax(x: Tensor): Tensor {
  assertF32('softmax', x);
  const { rows, cols, grid } = rowGrid(x);
  const out = Tensor.empty(x.gpu, x.shape, 'A softmax result');
  x.gpu.dispatch(softmaxKernel(false), { x: x.buffer, out: out.buffer }, { rows, cols }, grid);
  return record(out, [x], (g) => {
    const dx = Tensor.empty(x.gpu, x.shape, 'A softmax gradient');
    x.gpu.dispatch(softmaxKernel(true), { x: out.buffer, g: g.buffer, out: dx.buffer }, { rows, cols }, grid);
    return [dx];
  });
}

/** Swap the last two axes. */
export function transpose(x: Tensor): Tensor {
  if (x.rank < 2) throw new ShapeError(`transpose needs at least 2 axes, got ${fmt(x)}`);
  assertF32('transpose', x);
  const rows = x.shape[x.rank - 2];
  const cols = x.shape[x.rank - 1];
  const batch = x.size / (rows * cols);
  const shape = [...x.shape.slice(0, -2), cols, rows];
  const out = Tensor.empty(x.gpu, shape, 'A transpose result');
  x.gpu.dispatch(
    transposeKernel,
    { x: x.buffer, out: out.buffer },
    { rows, cols, batch },
    x.gpu.grid1d(Math.ceil(x.size / 256)),
  );
  return record(out, [x], (g) => [transpose(g)]);
}
