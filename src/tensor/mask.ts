/**
 * Masks (shaders/mask.wgsl): the causal mask of attention scores and an elementwise `where`.
 * Oracles: src/reference/nn.ts causalMask, where.
 */
import maskSrc from '../../shaders/mask.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { needsGrad, record } from './autograd';
import { sum } from './ops';
import { Tensor } from './tensor';

export const maskKernel = (entry: 'causal' | 'where_' | 'pick', condF32 = true, keepTrue = true): Kernel => ({
  name: 'mask',
  code: maskSrc,
  entry,
  constants: { COND_F32: condF32, KEEP_TRUE: keepTrue },
});

const fmt = (t: Tensor) => `[${t.shape.join(', ')}]`;

/**
 * Over the trailing [T, S] matrices of x, set entries with column > row + offset to `fill`
 * (default −∞, so a following softmax gives them weight 0; offset = S − T aligns the last query
 * with the last key when a cache precedes the queries). Gradient: g where kept, 0 where masked.
 */
export function causalMask(x: Tensor, opts: { fill?: number; offset?: number } = {}): Tensor {
  const { fill = Number.NEGATIVE_INFINITY, offset = 0 } = opts;
  if (x.dtype !== 'f32') throw new ShapeError(`causalMask takes an f32 tensor, got ${x.dtype}`);
  if (x.rank < 2) throw new ShapeError(`causalMask needs at least 2 axes, got ${fmt(x)}`);
  if (!Number.isInteger(offset)) throw new ShapeError(`causalMask: offset must be an integer, got ${offset}`);
  const rows = x.shape[x.rank - 2];
  const cols = x.shape[x.rank - 1];
  const run = (src: Tensor, value: number, what: string): Tensor => {
    const out = Tensor.empty(x.gpu, x.shape, what);
    x.gpu.dispatch(
      maskKernel('causal'),
      { x: src.buffer, out: out.buffer },
      { n: x.size, rows, cols, offset, fill: value, condSize: 1, bSize: 1 },
      x.gpu.grid1d(Math.ceil(x.size / 256)),
    );
    return out;
  };
  return record(run(x, fill, 'A causal-masked tensor'), [x], (g) => [run(g, 0, 'A causal-mask gradient')]);
}

/**
 * cond ? a : b elementwise. cond (f32, u32 or i32; nonzero is true) and b may broadcast onto a's
 * shape as a suffix (or hold one element). Gradients flow to a and b.
 */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new ShapeError('where: a and b must be f32 tensors');
  if (cond.gpu !== a.gpu || b.gpu !== a.gpu)
    throw new ShapeError('where: tensors live on different GPU devices');
  for (const [name, t] of [
    ['cond', cond],
    ['b', b],
  ] as const)
    if (!suffixOf(t.shape, a.shape))
      throw new ShapeError(
        `where: ${name} ${fmt(t)} does not broadcast onto ${fmt(a)} (it must match trailing sizes)`,
      );
  const condF32 = cond.dtype === 'f32';
  const u = { n: a.size, rows: 1, cols: 1, offset: 0, fill: 0, condSize: cond.size, bSize: b.size };
  const grid = a.gpu.grid1d(Math.ceil(a.size / 256));
  const out = Tensor.empty(a.gpu, a.shape, 'A where result');
  a.gpu.dispatch(
    maskKernel('where_', condF32),
    { x: a.buffer, cond: cond.buffer, b: b.buffer, out: out.buffer },
    u,
    grid,
  );
  const pick = (g: Tensor, keepTrue: boolean): Tensor => {
    const r = Tensor.empty(a.gpu, a.shape, 'A where gradient');
    a.gpu.dispatch(
      maskKernel('pick', condF32, keepTrue),
      { x: g.buffer, cond: cond.buffer, out: r.buffer },
      u,
      grid,
    );
    return r;
  };
  return record(out, [a, b], (g) => {
    const da = needsGrad(a) ? pick(g, true) : null;
    let db: Tensor | null = null;
    if (needsGrad(b)) {
      const full = pick(g, false);
      if (b.size === a.size) db = reshapeOwned(full, b.shape);
      else {
        const v = reshapeOwned(full, [a.size / b.size, b.size]);
        const s = sum(v, 0);
        v.dispose();
        db = reshapeOwned(s, b.shape);
      }
    }
    return [da, db];
  });
}

function reshapeOwned(t: Tensor, shape: readonly number[]): Tensor {
  const r = t.reshape(shape);
  t.dispose();
  return r;
}

/** True when `s` (ones stripped from the front) equals the trailing sizes of `full`, or has one element. */
function suffixOf(s: readonly number[], full: readonly number[]): boolean {
  if (s.reduce((p, q) => p * q, 1) === 1) return true;
  let i = 0;
  while (i < s.length - 1 && s[i] === 1) i++;
  const t = s.slice(i);
  if (t.length > full.length) return false;
  const tail = full.slice(full.length - t.length);
  return t.every((d, k) => d === tail[k]);
}
