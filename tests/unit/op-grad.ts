/**
 * Value and gradient check of one op against its float64 oracle: the GPU output vs the oracle,
 * and for L = Σ w ⊙ f(x) with fixed random weights w, the GPU gradient of every input vs central
 * finite differences of the oracle. Inputs are rounded to f32 first so the oracle sees what the GPU sees.
 */
import { expect } from 'vitest';
import type { Gpu } from '../../src/gpu/device';
import { relMaxError } from '../../src/reference/dense';
import { mul, sum } from '../../src/tensor/ops';
import type { Rng } from '../../src/tensor/rng';
import { Tensor, tidy } from '../../src/tensor/tensor';

export interface OpCase {
  gpu: Gpu;
  rng: Rng;
  /** Input shapes (each becomes a trainable f32 tensor of N(0, 1) values unless `init` says otherwise). */
  shapes: number[][];
  init?: (i: number, n: number) => Float32Array;
  gpuF: (xs: Tensor[]) => Tensor;
  /** The oracle on the f32-rounded inputs (f64 arithmetic), row-major output. */
  refF: (xs: Float64Array[]) => ArrayLike<number>;
  /** Which inputs to check gradients of (default all). */
  gradOf?: number[];
  tol?: number;
  gradTol?: number;
  h?: number;
}

export async function checkOp(c: OpCase): Promise<void> {
  const xs = c.shapes.map((s, i) => {
    const n = s.reduce((a, b) => a * b, 1);
    return Float64Array.from(c.init ? c.init(i, n) : Float32Array.from(c.rng.normals(n, 1)));
  });
  const want = c.refF(xs);
  const w = Float64Array.from(Float32Array.from(c.rng.normals(want.length, 1)));
  const ts = xs.map((x, i) => Tensor.fromArray(c.gpu, x, c.shapes[i]).trainable());
  const y = tidy(() => c.gpuF(ts));
  expect(y.size, 'output size').toBe(want.length);
  expect(relMaxError(await y.read(), want), 'value').toBeLessThanOrEqual(c.tol ?? 2e-5);
  y.dispose();
  tidy(() => {
    const out = c.gpuF(ts);
    sum(mul(out, Tensor.fromArray(c.gpu, w, out.shape))).backward();
  });
  const loss = (ins: Float64Array[]) => {
    const v = c.refF(ins);
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * w[i];
    return s;
  };
  for (const i of c.gradOf ?? xs.map((_, j) => j)) {
    const h = c.h ?? 1e-5;
    const num = new Float64Array(xs[i].length);
    const xi = Float64Array.from(xs[i]);
    const ins = xs.map((x, j) => (j === i ? xi : x));
    for (let k = 0; k < xi.length; k++) {
      xi[k] = xs[i][k] + h;
      const fp = loss(ins);
      xi[k] = xs[i][k] - h;
      const fm = loss(ins);
      xi[k] = xs[i][k];
      num[k] = (fp - fm) / (2 * h);
    }
    expect(ts[i].grad, `input ${i} has a gradient`).not.toBeNull();
    expect(relMaxError(await ts[i].grad!.read(), num), `gradient of input ${i}`).toBeLessThan(
      c.gradTol ?? 1e-4,
    );
  }
  for (const t of ts) t.dispose();
}

/** The awkward sizes every new op is tested at. */
export const SIZES = [1, 3, 17, 65, 257];
