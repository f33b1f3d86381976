/**
 * Gradient check of a structured matrix's apply(): for L = Σ c ⊙ apply(X), the GPU gradients of X
 * and of every parameter against central differences of the float64 oracle apply.
 */
import { expect } from 'vitest';
import type { Gpu } from '../../src/gpu/device';
import * as ref from '../../src/reference/dense';
import { Tensor, tidy } from '../../src/tensor/tensor';

export async function expectApplyGrads(o: {
  gpu: Gpu;
  /** The GPU matrix; its `params` must be trainable tensors holding `values`. */
  apply: (x: Tensor) => Tensor;
  params: Tensor[];
  values: Float64Array[];
  /** The oracle: Y (batch × rows, row-major) from X and the parameter values. */
  refApply: (x: Float64Array, values: Float64Array[]) => ArrayLike<number>;
  x: Float64Array;
  /** Upstream gradient (batch × rows). */
  c: Float64Array;
  batch: number;
  cols: number;
  rows: number;
  tol?: number;
}): Promise<void> {
  const tol = o.tol ?? 1e-5;
  const loss = (xv: Float64Array, vals: Float64Array[]) => {
    const y = o.refApply(xv, vals);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * o.c[i];
    return s;
  };
  const xt = Tensor.fromArray(o.gpu, o.x, [o.batch, o.cols]).trainable();
  tidy(() => o.apply(xt).backward(Tensor.fromArray(o.gpu, o.c, [o.batch, o.rows])));
  expect(
    ref.relMaxError(
      await xt.grad!.read(),
      ref.numericGrad((v) => loss(v, o.values), o.x),
    ),
    'dX',
  ).toBeLessThan(tol);
  for (let i = 0; i < o.params.length; i++) {
    const num = ref.numericGrad(
      (v) =>
        loss(
          o.x,
          o.values.map((w, j) => (j === i ? v : w)),
        ),
      o.values[i],
    );
    expect(ref.relMaxError(await o.params[i].grad!.read(), num), `parameter ${i}`).toBeLessThan(tol);
  }
  xt.dispose();
}
