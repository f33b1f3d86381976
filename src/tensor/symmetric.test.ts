/** symmetricFromTriangle vs the f64 oracle: values, and the folded gradient vs finite differences. */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { checkOp } from '../../tests/unit/op-grad';
import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import * as nn from '../reference/nn';
import { Rng } from './rng';
import { symmetricFromTriangle, triangleSize } from './symmetric';
import { Tensor, tidy } from './tensor';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});
const rng = new Rng(12);

describe('symmetricFromTriangle', () => {
  for (const [heads, d] of [
    [1, 1],
    [2, 3],
    [1, 17],
    [3, 5],
    [1, 65],
  ])
    it(`${heads} × d ${d}: W = Wᵀ from d(d+1)/2 = ${triangleSize(d)} numbers, gradient folded onto the triangle`, () =>
      checkOp({
        gpu,
        rng,
        shapes: [[heads, triangleSize(d)]],
        gpuF: ([t]) => symmetricFromTriangle(t, d),
        refF: ([t]) => nn.symmetricFromTriangle(t, heads, d),
        tol: 0,
      }));

  it('the built matrix is exactly symmetric and its gradient is bit-identical across runs', async () => {
    const d = 17;
    const tri = Tensor.randn(gpu, [2, triangleSize(d)], rng).trainable();
    const w = await tidy(() => symmetricFromTriangle(tri, d)).read();
    for (let h = 0; h < 2; h++)
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) expect(w[h * d * d + i * d + j]).toBe(w[h * d * d + j * d + i]);
    const g = Tensor.randn(gpu, [2, d, d], rng);
    const grads: Float32Array[] = [];
    for (let r = 0; r < 2; r++) {
      tidy(() => symmetricFromTriangle(tri, d).backward(g));
      grads.push(await (tri.grad as Tensor).read());
      tri.grad?.dispose();
      tri.grad = null;
    }
    expect(grads[1]).toEqual(grads[0]);
    g.dispose();
    tri.dispose();
  });

  it('a triangle of the wrong size is a clear error', () => {
    const t = Tensor.zeros(gpu, [1, 5]);
    expect(() => symmetricFromTriangle(t, 3)).toThrow(ShapeError);
    expect(() => symmetricFromTriangle(t, 3)).toThrow(/\[heads, 6\] tensor for d = 3/);
    t.dispose();
  });
});
