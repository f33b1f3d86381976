/**
 * Gradients of max / min, variance and mean per axis, and GELU (tanh form), at awkward sizes,
 * vs the f64 oracles (src/reference/dense.ts, src/reference/nn.ts). Real WebGPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { checkOp } from '../../tests/unit/op-grad';
import type { Gpu } from '../gpu/device';
import * as dense from '../reference/dense';
import * as nn from '../reference/nn';
import * as ops from './ops';
import { Rng } from './rng';
import { Tensor, tidy } from './tensor';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});
const rng = new Rng(2718);

const SHAPES: number[][] = [[1], [3], [17, 3], [3, 65], [2, 3, 5], [257]];

describe('max / min gradients', () => {
  for (const shape of SHAPES)
    for (const axis of [undefined, ...shape.map((_, i) => i)])
      for (const op of ['max', 'min'] as const)
        it(`${op} of [${shape}] over ${axis ?? 'everything'}`, () =>
          checkOp({
            gpu,
            rng,
            shapes: [shape],
            gpuF: ([x]) => (op === 'max' ? ops.max(x, axis) : ops.min(x, axis)),
            refF: ([x]) => dense.reduce(dense.arr(x, shape), op, axis).data,
            tol: 0,
          }));

  it('ties share the gradient evenly', async () => {
    const x = Tensor.fromArray(gpu, [1, 3, 3, 2], [4]).trainable();
    tidy(() => ops.max(x).backward());
    expect(Array.from(await x.grad!.read())).toEqual([0, 0.5, 0.5, 0]);
    x.dispose();
  });
});

describe('variance / meanVar', () => {
  for (const shape of SHAPES)
    for (const axis of shape.map((_, i) => i))
      for (const correction of [0, 1]) {
        if (shape[axis] - correction < 1) continue;
        it(`variance of [${shape}] over axis ${axis}, correction ${correction}`, () =>
          checkOp({
            gpu,
            rng,
            shapes: [shape],
            gpuF: ([x]) => ops.variance(x, axis, { correction }),
            refF: ([x]) => nn.meanVar(x, shape, axis, correction).variance,
            tol: 1e-5,
          }));
      }

  it('over everything, keepDims, and meanVar returns both', async () => {
    await checkOp({
      gpu,
      rng,
      shapes: [[3, 17]],
      gpuF: ([x]) => ops.variance(x, undefined, { correction: 1 }),
      refF: ([x]) => nn.meanVar(x, [51], 0, 1).variance,
      tol: 1e-5,
    });
    const x = Tensor.randn(gpu, [3, 4, 5], rng);
    const r = tidy(() => ops.meanVar(x, 1, { keepDims: true }));
    expect(r.mean.shape).toEqual([3, 1, 5]);
    expect(r.variance.shape).toEqual([3, 1, 5]);
    const want = nn.meanVar(await x.read(), [3, 4, 5], 1);
    expect(dense.relMaxError(await r.mean.read(), want.mean)).toBeLessThan(1e-6);
    expect(dense.relMaxError(await r.variance.read(), want.variance)).toBeLessThan(1e-5);
    expect(() => ops.variance(x, 2, { correction: 5 })).toThrow(/no degrees of freedom/);
    for (const t of [x, r.mean, r.variance]) t.dispose();
  });
});

describe('GELU (tanh form) at awkward sizes', () => {
  for (const n of [1, 3, 17, 65, 257])
    it(`${n} elements`, () =>
      checkOp({
        gpu,
        rng,
        shapes: [[n]],
        init: (_, k) => Float32Array.from(rng.normals(k, 3)),
        gpuF: ([x]) => ops.gelu(x),
        refF: ([x]) => Array.from(x, dense.unaryFns.gelu),
        tol: 1e-6,
      }));
});
