/**
 * Mean cross-entropy of logits [N, V] against integer targets (shaders/nn-xent.wgsl: stable
 * log-sum-exp per row, backward softmax − one-hot). TODO(train-core ops): use the tensor library's
 * fused cross-entropy (with ignore-index) once it is on main; this is the same formula.
 */
import xentSrc from '../../shaders/nn-xent.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { record } from '../tensor/autograd';
import { mean } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';

const kernel = (entry: 'forward' | 'backward'): Kernel => ({ name: 'nn-xent', code: xentSrc, entry });
export const xentKernels = (): Kernel[] => [kernel('forward'), kernel('backward')];

/** Per-row losses [N]. */
export function crossEntropyRows(logits: Tensor, targets: ArrayLike<number>): Tensor {
  const [rows, cols] = logits.shape;
  if (logits.rank !== 2 || targets.length !== rows)
    throw new Error(`crossEntropy: logits [${logits.shape}] and ${targets.length} targets do not match`);
  for (let i = 0; i < targets.length; i++)
    if (!(targets[i] >= 0 && targets[i] < cols && Number.isInteger(targets[i])))
      throw new RangeError(`crossEntropy: target ${targets[i]} at ${i} is outside [0, ${cols})`);
  const gpu = logits.gpu;
  const t = Tensor.fromArray(gpu, Float32Array.from(targets), [rows]);
  const out = Tensor.empty(gpu, [rows], 'Cross-entropy rows');
  const grid = gpu.grid1d(Math.ceil(rows / 64));
  gpu.dispatch(kernel('forward'), { z: logits.buffer, t: t.buffer, out: out.buffer }, { rows, cols }, grid);
  return record(out, [logits, t], (g) => {
    const dz = Tensor.empty(gpu, logits.shape, 'A cross-entropy gradient');
    gpu.dispatch(
      kernel('backward'),
      { z: logits.buffer, t: t.buffer, g: g.buffer, out: dz.buffer },
      { rows, cols },
      grid,
    );
    return [dz, null];
  });
}

/** Mean over rows of −log softmax(logits)[target]. */
export function crossEntropy(logits: Tensor, targets: ArrayLike<number>): Tensor {
  return mean(crossEntropyRows(logits, targets));
}
