/** Mean cross-entropy of logits [N, V] against integer targets (the tensor library's fused op). */
import { crossEntropy as ce } from '../tensor/loss';
import { Tensor } from '../tensor/tensor';

export function crossEntropy(logits: Tensor, targets: ArrayLike<number>): Tensor {
  const V = logits.shape[logits.rank - 1];
  for (let i = 0; i < targets.length; i++)
    if (!(Number.isInteger(targets[i]) && targets[i] >= 0 && targets[i] < V))
      throw new RangeError(`crossEntropy: target ${targets[i]} at ${i} is outside [0, ${V})`);
  const t = Tensor.fromArray(logits.gpu, Int32Array.from(targets), [targets.length], 'i32');
  return ce(logits, t);
}
