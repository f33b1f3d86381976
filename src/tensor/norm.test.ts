/** LayerNorm and RMSNorm (fused forward and backward) vs the f64 oracle, real WebGPU. */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { checkOp } from '../../tests/unit/op-grad';
import type { Gpu } from '../gpu/device';
import * as nn from '../reference/nn';
import { layerNorm, rmsNorm } from './norm';
import { Rng } from './rng';
import { Tensor, tidy } from './tensor';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});
const rng = new Rng(99);

describe('layerNorm / rmsNorm', () => {
  const cases: Array<[number, number]> = [
    [1, 1],
    [1, 3],
    [3, 17],
    [17, 3],
    [65, 2],
    [2, 65],
    [3, 257],
  ];
  for (const [rows, cols] of cases) {
    it(`layerNorm ${rows}×${cols} with γ and β`, () =>
      checkOp({
        gpu,
        rng,
        shapes: [[rows, cols], [cols], [cols]],
        gpuF: ([x, g, b]) => layerNorm(x, g, b),
        refF: ([x, g, b]) => nn.layerNorm(x, g, b, rows, cols),
        // cols = 1: the output is β exactly and dx = 0.
        gradTol: 2e-4,
      }));
    it(`rmsNorm ${rows}×${cols} with γ`, () =>
      checkOp({
        gpu,
        rng,
        shapes: [[rows, cols], [cols]],
        gpuF: ([x, g]) => rmsNorm(x, g),
        refF: ([x, g]) => nn.rmsNorm(x, g, rows, cols),
        gradTol: 2e-4,
      }));
  }

  it('without affine parameters, on a 3-D input, with a custom eps', async () => {
    await checkOp({
      gpu,
      rng,
      shapes: [[2, 3, 5]],
      gpuF: ([x]) => layerNorm(x, null, null, { eps: 1e-3 }),
      refF: ([x]) => nn.layerNorm(x, null, null, 6, 5, 1e-3),
    });
    await checkOp({
      gpu,
      rng,
      shapes: [[2, 3, 5]],
      gpuF: ([x]) => rmsNorm(x, null, { eps: 1e-3 }),
      refF: ([x]) => nn.rmsNorm(x, null, 6, 5, 1e-3),
    });
  });

  it('rejects a γ of the wrong size and a non-positive eps', () => {
    tidy(() => {
      const x = Tensor.zeros(gpu, [2, 4]);
      expect(() => layerNorm(x, Tensor.zeros(gpu, [3]), null)).toThrow(/gamma \[3\] must hold 4 f32 values/);
      expect(() => rmsNorm(x, null, { eps: 0 })).toThrow(/eps must be positive/);
    });
  });
});
