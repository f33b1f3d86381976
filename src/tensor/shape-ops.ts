/**
 * Shape ops on strided copies (shaders/strided.wgsl): general permute, slice, concat, split.
 * Oracles: src/reference/nn.ts permute, slice, concat.
 */
import stridedSrc from '../../shaders/strided.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { fillInPlace, needsGrad, record } from './autograd';
import { Tensor } from './tensor';

export const stridedKernel = (entry: 'gather' | 'scatter'): Kernel => ({
  name: 'strided',
  code: stridedSrc,
  entry,
});

const MAX_RANK = 8;
const fmt = (t: Tensor) => `[${t.shape.join(', ')}]`;

function rowStrides(shape: readonly number[]): number[] {
  const s = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

function pad8(v: readonly number[]): [number[], number[]] {
  const a = [...v, ...new Array(MAX_RANK - v.length).fill(1)];
  return [a.slice(0, 4), a.slice(4, 8)];
}

/** One strided copy; `shape` is the contiguous side's shape, `strides` the strided side's. */
function strided(
  entry: 'gather' | 'scatter',
  x: Tensor,
  out: Tensor,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): void {
  if (shape.length > MAX_RANK)
    throw new ShapeError(`strided copies support rank ≤ ${MAX_RANK}, got ${shape.length}`);
  const n = shape.reduce((a, b) => a * b, 1);
  const [shapeLo, shapeHi] = pad8(shape);
  const [strideLo, strideHi] = pad8(strides);
  x.gpu.dispatch(
    stridedKernel(entry),
    { x: x.buffer, out: out.buffer },
    { n, rank: shape.length, offset, shapeLo, shapeHi, strideLo, strideHi },
    x.gpu.grid1d(Math.ceil(n / 256)),
  );
}

function f32(op: string, x: Tensor): void {
  if (x.dtype !== 'f32') throw new ShapeError(`${op} takes f32 tensors, got a ${x.dtype} tensor ${fmt(x)}`);
}

function normAxis(op: string, x: Tensor, axis: number): number {
  const ax = axis < 0 ? axis + x.rank : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= x.rank)
    throw new ShapeError(`${op}: axis ${axis} is out of range for ${fmt(x)}`);
  return ax;
}

/** Reorder axes: out.shape[k] = x.shape[perm[k]] (e.g. [B, T, H, D] → [B, H, T, D] with [0, 2, 1, 3]). */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  f32('permute', x);
  const ok =
    perm.length === x.rank &&
    perm.every((p) => Number.isInteger(p) && p >= 0 && p < x.rank) &&
    new Set(perm).size === perm.length;
  if (!ok)
    throw new ShapeError(
      `permute: [${perm.join(', ')}] is not a permutation of the ${x.rank} axes of ${fmt(x)}`,
    );
  const xs = rowStrides(x.shape);
  const shape = perm.map((p) => x.shape[p]);
  const out = Tensor.empty(x.gpu, shape, 'A permute result');
  strided(
    'gather',
    x,
    out,
    shape,
    perm.map((p) => xs[p]),
    0,
  );
  const inverse = new Array(perm.length);
  perm.forEach((p, k) => {
    inverse[p] = k;
  });
  return record(out, [x], (g) => [permute(g, inverse)]);
}

/** x[..., start : start + length, ...] along `axis` (a copy). */
export function slice(x: Tensor, axis: number, start: number, length: number): Tensor {
  f32('slice', x);
  const ax = normAxis('slice', x, axis);
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(length) ||
    start < 0 ||
    length < 1 ||
    start + length > x.shape[ax]
  )
    throw new ShapeError(
      `slice: [${start}, ${start + length}) is not a non-empty range within axis ${ax} (size ${x.shape[ax]}) of ${fmt(x)}`,
    );
  const xs = rowStrides(x.shape);
  const shape = x.shape.map((d, k) => (k === ax ? length : d));
  const out = Tensor.empty(x.gpu, shape, 'A slice');
  strided('gather', x, out, shape, xs, start * xs[ax]);
  return record(out, [x], (g) => {
    const dx = Tensor.empty(x.gpu, x.shape, 'A slice gradient');
    fillInPlace(dx, 0);
    strided('scatter', g, dx, shape, xs, start * xs[ax]);
    return [dx];
  });
}

/** Join tensors along `axis` (every other size equal). */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new ShapeError('concat needs at least one tensor');
  const first = xs[0];
  f32('concat', first);
  const ax = normAxis('concat', first, axis);
  for (const [i, t] of xs.entries()) {
    f32('concat', t);
    if (t.gpu !== first.gpu) throw new ShapeError('concat: tensors live on different GPU devices');
    if (t.rank !== first.rank || t.shape.some((d, k) => k !== ax && d !== first.shape[k]))
      throw new ShapeError(`concat: tensor ${i} ${fmt(t)} does not match ${fmt(first)} outside axis ${ax}`);
  }
  const total = xs.reduce((a, t) => a + t.shape[ax], 0);
  const shape = first.shape.map((d, k) => (k === ax ? total : d));
  const out = Tensor.empty(first.gpu, shape, 'A concat result');
  const os = rowStrides(shape);
  const starts: number[] = [];
  let at = 0;
  for (const t of xs) {
    starts.push(at);
    strided('scatter', t, out, t.shape, os, at * os[ax]);
    at += t.shape[ax];
  }
  return record(out, [...xs], (g) =>
    xs.map((t, i) => {
      if (!needsGrad(t)) return null;
      const d = Tensor.empty(g.gpu, t.shape, 'A concat gradient');
      strided('gather', g, d, t.shape, os, starts[i] * os[ax]);
      return d;
    }),
  );
}

/** Split along `axis` into pieces of the given sizes (or `sizes` equal pieces when a number). */
export function split(x: Tensor, sizes: number | readonly number[], axis: number): Tensor[] {
  const ax = normAxis('split', x, axis);
  const n = x.shape[ax];
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes < 1 || n % sizes !== 0)
      throw new ShapeError(`split: ${sizes} equal pieces do not divide axis ${ax} (size ${n}) of ${fmt(x)}`);
    parts = new Array(sizes).fill(n / sizes);
  } else parts = [...sizes];
  if (parts.reduce((a, b) => a + b, 0) !== n)
    throw new ShapeError(
      `split: sizes [${parts.join(', ')}] do not add up to axis ${ax} (size ${n}) of ${fmt(x)}`,
    );
  let at = 0;
  return parts.map((len) => {
    const s = slice(x, ax, at, len);
    at += len;
    return s;
  });
}
