/**
 * Layer functions composed from src/tensor ops (each differentiable through the ops' own
 * backwards). Row-wise broadcasts (x[n, :] · s[n]) go through a transpose so the operand
 * broadcasts as a suffix, which the elementwise kernels support.
 * TODO(train-core ops): switch layerNorm / rmsNorm / embedding to the fused kernels when they land.
 */
import { add, div, matmul, mean, mul, sqrt, square, sub, transpose } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';

/** x [N, d] with each row n multiplied by s[n] (s of shape [N]). */
export function scaleRows(x: Tensor, s: Tensor): Tensor {
  return transpose(mul(transpose(x), s));
}

/** x [N, d] minus m[n] on row n. */
export function subRows(x: Tensor, m: Tensor): Tensor {
  return transpose(sub(transpose(x), m));
}

function rsqrtPlus(v: Tensor, eps: number): Tensor {
  const e = Tensor.full(v.gpu, [1], eps);
  const one = Tensor.full(v.gpu, [v.size], 1);
  return div(one, sqrt(add(v, e)));
}

/** LayerNorm over the last axis of x [N, d]: (x − μ)/√(σ² + eps)·w + b (biased variance, as PyTorch). */
export function layerNorm(x: Tensor, w: Tensor, b: Tensor | null, eps = 1e-5): Tensor {
  const xc = subRows(x, mean(x, -1));
  const y = mul(scaleRows(xc, rsqrtPlus(mean(square(xc), -1), eps)), w);
  return b ? add(y, b) : y;
}

/** RMSNorm over the last axis: x/√(mean x² + eps)·w. */
export function rmsNorm(x: Tensor, w: Tensor, eps = 1e-5): Tensor {
  return mul(scaleRows(x, rsqrtPlus(mean(square(x), -1), eps)), w);
}

/** One-hot rows [ids.length, n] (a constant: no gradient). */
export function oneHot(gpu: Tensor['gpu'], ids: ArrayLike<number>, n: number): Tensor {
  const a = new Float32Array(ids.length * n);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < n)) throw new RangeError(`token id ${id} at ${i} is outside [0, ${n})`);
    a[i * n + id] = 1;
  }
  return Tensor.fromArray(gpu, a, [ids.length, n]);
}

/**
 * Rows of a table E [V, d] for token ids: one-hot(ids)·E. The gradient dE = one-hotᵀ·dY is a
 * GEMM, so it is deterministic (no atomics). Fine for char vocabularies (V ≲ 100).
 */
export function gatherRows(table: Tensor, ids: ArrayLike<number>): Tensor {
  return matmul(oneHot(table.gpu, ids, table.shape[0]), table);
}
