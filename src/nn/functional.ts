/** Layer functions on the tensor library's fused ops (LayerNorm, RMSNorm, embedding gather). */
import { embedding } from '../tensor/embedding';
import { layerNorm as ln, rmsNorm as rms } from '../tensor/norm';
import { Tensor } from '../tensor/tensor';

/** LayerNorm over the last axis (biased variance, as PyTorch). */
export function layerNorm(x: Tensor, w: Tensor, b: Tensor | null, eps = 1e-5): Tensor {
  return ln(x, w, b, { eps });
}

/** RMSNorm over the last axis: x/√(mean x² + eps)·w. */
export function rmsNorm(x: Tensor, w: Tensor, eps = 1e-5): Tensor {
  return rms(x, w, { eps });
}

/** Rows of a table E [V, d] for token ids → [N, d] (deterministic scatter-add backward). */
export function gatherRows(table: Tensor, ids: ArrayLike<number>): Tensor {
  const V = table.shape[0];
  for (let i = 0; i < ids.length; i++)
    if (!(ids[i] >= 0 && ids[i] < V)) throw new RangeError(`token id ${ids[i]} at ${i} is outside [0, ${V})`);
  return embedding(table, Tensor.fromArray(table.gpu, Int32Array.from(ids), [ids.length], 'i32'));
}
