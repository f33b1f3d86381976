/** permute / slice / concat / split vs the f64 oracle, values and gradients, real WebGPU. */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { checkOp } from '../../tests/unit/op-grad';
import type { Gpu } from '../gpu/device';
import * as nn from '../reference/nn';
import { Rng } from './rng';
import { concat, permute, slice, split } from './shape-ops';
import { Tensor, tidy } from './tensor';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});
const rng = new Rng(31);

describe('permute', () => {
  const cases: Array<[number[], number[]]> = [
    [[1], [0]],
    [
      [3, 17],
      [1, 0],
    ],
    [
      [2, 3, 5, 4],
      [0, 2, 1, 3],
    ], // heads: [B, T, H, D] → [B, H, T, D]
    [
      [3, 1, 17],
      [2, 0, 1],
    ],
    [
      [2, 65, 3],
      [1, 2, 0],
    ],
    [
      [257, 2],
      [1, 0],
    ],
    [
      [2, 1, 3, 1, 2, 1, 2, 2],
      [7, 6, 5, 4, 3, 2, 1, 0],
    ],
  ];
  for (const [shape, perm] of cases)
    it(`[${shape}] by [${perm}]`, () =>
      checkOp({
        gpu,
        rng,
        shapes: [shape],
        gpuF: ([x]) => permute(x, perm),
        refF: ([x]) => nn.permute(x, shape, perm),
        tol: 0,
      }));

  it('rejects a non-permutation', () => {
    tidy(() => {
      expect(() => permute(Tensor.zeros(gpu, [2, 3]), [0, 0])).toThrow(/not a permutation of the 2 axes/);
    });
  });
});

describe('slice / concat / split', () => {
  const cases: Array<[number[], number, number, number]> = [
    [[1], 0, 0, 1],
    [[3, 17], 1, 5, 9],
    [[17, 3], 0, 16, 1],
    [[2, 65, 3], 1, 1, 64],
    [[257], 0, 100, 157],
    [[3, 2, 5], -1, 2, 3],
  ];
  for (const [shape, axis, start, len] of cases)
    it(`slice [${shape}] axis ${axis} from ${start}, ${len}`, () =>
      checkOp({
        gpu,
        rng,
        shapes: [shape],
        gpuF: ([x]) => slice(x, axis, start, len),
        refF: ([x]) => nn.slice(x, shape, axis < 0 ? axis + shape.length : axis, start, len),
        tol: 0,
      }));

  const joins: Array<[number[][], number]> = [
    [[[1], [1]], 0],
    [
      [
        [3, 1],
        [3, 17],
        [3, 2],
      ],
      1,
    ],
    [
      [
        [1, 5],
        [65, 5],
      ],
      0,
    ],
    [
      [
        [2, 3, 4],
        [2, 1, 4],
        [2, 5, 4],
      ],
      1,
    ],
    [
      [
        [2, 257],
        [2, 3],
      ],
      1,
    ],
  ];
  for (const [shapes, axis] of joins)
    it(`concat ${shapes.map((s) => `[${s}]`).join(' ')} along ${axis}`, () =>
      checkOp({
        gpu,
        rng,
        shapes,
        gpuF: (xs) => concat(xs, axis),
        refF: (xs) => nn.concat(xs, shapes, axis),
        tol: 0,
      }));

  it('split into equal pieces and by sizes; the pieces concat back; gradients of every piece reach x', async () => {
    const shape = [3, 17];
    await checkOp({
      gpu,
      rng,
      shapes: [shape],
      // Weighted pieces joined in reverse order: each piece's backward adds into x.grad.
      gpuF: ([x]) => concat(split(x, [5, 1, 11], 1).reverse(), 1),
      refF: ([x]) =>
        nn.concat(
          [nn.slice(x, shape, 1, 6, 11), nn.slice(x, shape, 1, 5, 1), nn.slice(x, shape, 1, 0, 5)],
          [
            [3, 11],
            [3, 1],
            [3, 5],
          ],
          1,
        ),
      tol: 0,
    });
    tidy(() => {
      const x = Tensor.zeros(gpu, [4, 6]);
      expect(split(x, 3, 1).map((t) => t.shape)).toEqual([
        [4, 2],
        [4, 2],
        [4, 2],
      ]);
      expect(() => split(x, 4, 1)).toThrow(/4 equal pieces do not divide axis 1 \(size 6\)/);
      expect(() => split(x, [2, 2], 1)).toThrow(/do not add up/);
      expect(() => slice(x, 1, 5, 2)).toThrow(/\[5, 7\) is not a non-empty range within axis 1/);
      expect(() => concat([x, Tensor.zeros(gpu, [3, 6])], 1)).toThrow(/tensor 1 \[3, 6\] does not match/);
    });
  });
});
