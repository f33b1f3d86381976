/** causalMask and where vs the f64 oracle, values and gradients, real WebGPU. */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { checkOp } from '../../tests/unit/op-grad';
import type { Gpu } from '../gpu/device';
import * as dense from '../reference/dense';
import * as nn from '../reference/nn';
import { causalMask, where } from './mask';
import { softmax } from './ops';
import { Rng } from './rng';
import { Tensor, tidy } from './tensor';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});
const rng = new Rng(5);

describe('causalMask', () => {
  const cases: Array<[number[], number]> = [
    [[1, 1], 0],
    [[3, 3], 0],
    [[2, 17, 17], 0],
    [[3, 5], 2],
    [[65, 3], -1],
    [[1, 257], 0],
  ];
  for (const [shape, offset] of cases)
    it(`[${shape}] offset ${offset} (finite fill)`, () =>
      checkOp({
        gpu,
        rng,
        shapes: [shape],
        gpuF: ([x]) => causalMask(x, { fill: -7, offset }),
        refF: ([x]) => nn.causalMask(x, shape[shape.length - 2], shape[shape.length - 1], -7, offset),
        tol: 0,
      }));

  for (const T of [1, 3, 17])
    it(`softmax(causalMask(x)) with −∞ on [2, ${T}, ${T}]: masked weights exactly 0, gradient vs oracle`, async () => {
      const shape = [2, T, T];
      const refF = ([x]: Float64Array[]) =>
        dense.softmax(dense.arr(nn.causalMask(x, T, T, Number.NEGATIVE_INFINITY), shape)).data;
      await checkOp({ gpu, rng, shapes: [shape], gpuF: ([x]) => softmax(causalMask(x)), refF });
      const x = Tensor.randn(gpu, shape, rng);
      const y = await tidy(() => softmax(causalMask(x))).read();
      for (let i = 0; i < y.length; i++) if (i % T > Math.floor(i / T) % T) expect(y[i]).toBe(0);
      x.dispose();
    });
});

describe('where', () => {
  const cases: Array<[number[], number[], number[]]> = [
    [[1], [1], [1]],
    [
      [3, 17],
      [3, 17],
      [3, 17],
    ],
    [[17, 3], [3], [1]],
    [[2, 65], [65], [2, 65]],
    [[257], [257], [1]],
  ];
  for (const [shape, condShape, bShape] of cases)
    for (const dtype of ['f32', 'u32'] as const)
      it(`a [${shape}], cond [${condShape}] ${dtype}, b [${bShape}]`, () => {
        const n = condShape.reduce((p, q) => p * q, 1);
        const c = Array.from({ length: n }, () => (rng.int(2) ? 1 : 0));
        // −0 is false in an f32 condition.
        const cv = dtype === 'f32' ? c.map((v) => (v ? rng.normals(1, 1)[0] || 1 : -0)) : c;
        return checkOp({
          gpu,
          rng,
          shapes: [shape, bShape],
          gpuF: ([a, b]) => where(Tensor.fromArray(gpu, cv, condShape, dtype), a, b),
          refF: ([a, b]) => nn.where(c, a, b),
          tol: 0,
        });
      });

  it('rejects a condition that does not broadcast', () => {
    tidy(() => {
      const a = Tensor.zeros(gpu, [3, 4]);
      expect(() => where(Tensor.zeros(gpu, [3]), a, a)).toThrow(
        /cond \[3\] does not broadcast onto \[3, 4\]/,
      );
    });
  });
});
