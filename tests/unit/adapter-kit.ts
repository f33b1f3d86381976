/** Shared helpers for the adapter tests (src/nn/adapters/*.test.ts): a seeded base layer, outputs, FD checks. */
import { expect } from 'vitest';
import type { Adapter, BaseLinear } from '../../src/nn/adapters/adapter';
import { linearRef } from '../../src/reference/adapters';
import { numericGrad, relMaxError } from '../../src/reference/dense';
import { add, matmul, mul, sum } from '../../src/tensor/ops';
import { Rng } from '../../src/tensor/rng';
import { Tensor, tidy } from '../../src/tensor/tensor';

export function baseLayer(out: number, inp: number, seed: number, bias = true): BaseLinear {
  const rng = new Rng(seed);
  return {
    out,
    in: inp,
    weight: Float32Array.from(rng.normals(out * inp, 1 / Math.sqrt(inp))),
    bias: bias ? Float32Array.from(rng.normals(out, 0.1)) : null,
  };
}

export function input(gpu: Tensor['gpu'], N: number, inp: number, seed: number): Tensor {
  return Tensor.fromArray(gpu, new Rng(seed).normals(N * inp), [N, inp]);
}

/** The base Linear's output computed exactly as nn/Linear does (x·Wᵀ, then + b). */
export async function baseOutput(gpu: Tensor['gpu'], base: BaseLinear, x: Tensor): Promise<Float32Array> {
  const W = Tensor.fromArray(gpu, Float32Array.from(base.weight), [base.out, base.in]);
  const b = base.bias ? Tensor.fromArray(gpu, Float32Array.from(base.bias), [base.out]) : null;
  const y = tidy(() => {
    const z = matmul(x, W, { transB: true });
    return b ? add(z, b) : z;
  });
  const v = await y.read();
  for (const t of [W, b, y]) t?.dispose();
  return v;
}

export async function outputOf(a: Adapter, x: Tensor): Promise<Float32Array> {
  const y = tidy(() => a.forward(x));
  const v = await y.read();
  y.dispose();
  return v;
}

export async function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): Promise<number> {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Finite-difference check of every trainable parameter's gradient: loss = Σ c ⊙ forward(x), the
 * numeric side through `weightOf` (the adapted weight as an f64 function of the parameter values).
 */
export async function fdCheck(
  a: Adapter,
  base: BaseLinear,
  x: Tensor,
  weightOf: (p: Record<string, Float64Array>) => Float64Array,
): Promise<void> {
  const gpu = a.gpu;
  const N = x.shape[0];
  const c = Tensor.fromArray(gpu, new Rng(99).normals(N * base.out), [N, base.out]);
  const params = a.namedParameters();
  for (const p of params) {
    p.tensor.grad?.dispose();
    p.tensor.grad = null;
  }
  tidy(() => sum(mul(a.forward(x), c)).backward());
  const xs = Float64Array.from(await x.read());
  const cs = Float64Array.from(await c.read());
  const values: Record<string, Float64Array> = {};
  for (const p of params) values[p.name] = Float64Array.from(await p.tensor.read());
  for (const p of params) {
    const got = await (p.tensor.grad as Tensor).read();
    const f = (v: Float64Array) => {
      const w = weightOf({ ...values, [p.name]: v });
      const y = linearRef(xs, w, base.bias ?? null, N, base.out, base.in);
      return y.reduce((s, yi, i) => s + yi * cs[i], 0);
    };
    expect(relMaxError(got, numericGrad(f, values[p.name], 1e-6)), p.name).toBeLessThan(1e-4);
    p.tensor.grad?.dispose();
    p.tensor.grad = null;
  }
  c.dispose();
}
