/**
 * Fused log-softmax + cross-entropy (shaders/cross-entropy.wgsl): stable (log-sum-exp after the
 * row max), mean over the counted tokens, ignore-index. Oracle: src/reference/nn.ts crossEntropy.
 */
import ceSrc from '../../shaders/cross-entropy.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { record } from './autograd';
import { Tensor } from './tensor';

export const crossEntropyKernel = (entry: 'rows' | 'reduce' | 'backward', mean: boolean): Kernel => ({
  name: 'cross-entropy',
  code: ceSrc,
  entry,
  constants: { MEAN: mean },
});

export interface CrossEntropyOptions {
  /** Targets equal to this are skipped (no loss, no gradient, not counted). Default −100 (PyTorch's). */
  ignoreIndex?: number;
  /** 'mean' over the counted tokens (0 when none is counted), or 'sum'. Default 'mean'. */
  reduction?: 'mean' | 'sum';
}

/**
 * Cross-entropy of logits [..., V] against integer targets (i32 or u32, one per row of logits):
 * a [1] tensor. Targets outside [0, V) are skipped like ignoreIndex (the GPU cannot raise an error;
 * check ids on the CPU where they come from). Gradient flows to the logits.
 */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const { ignoreIndex = -100, reduction = 'mean' } = opts;
  if (logits.dtype !== 'f32') throw new ShapeError(`crossEntropy: logits must be f32, got ${logits.dtype}`);
  if (targets.dtype === 'f32')
    throw new ShapeError('crossEntropy: targets must be an integer (i32 or u32) tensor, got f32');
  if (logits.gpu !== targets.gpu) throw new ShapeError('crossEntropy: tensors live on different GPU devices');
  const cols = logits.shape[logits.rank - 1];
  const rows = logits.size / cols;
  if (targets.size !== rows)
    throw new ShapeError(
      `crossEntropy: ${targets.size} targets for ${rows} rows of logits [${logits.shape.join(', ')}]`,
    );
  if (!Number.isInteger(ignoreIndex) || Math.abs(ignoreIndex) > 2 ** 31 - 1)
    throw new ShapeError(`crossEntropy: ignoreIndex must be a 32-bit integer, got ${ignoreIndex}`);
  const mean = reduction === 'mean';
  const gpu = logits.gpu;
  const stats = Tensor.empty(gpu, [2 * rows + 1], 'Cross-entropy row statistics');
  const out = Tensor.empty(gpu, [1], 'A cross-entropy loss');
  const uniforms = { rows, cols, ignoreIndex };
  const grid = gpu.grid1d(rows);
  gpu.dispatch(
    crossEntropyKernel('rows', mean),
    { logits: logits.buffer, targets: targets.buffer, stats: stats.buffer },
    uniforms,
    grid,
  );
  gpu.dispatch(
    crossEntropyKernel('reduce', mean),
    { targets: targets.buffer, stats: stats.buffer, loss: out.buffer },
    uniforms,
    [1],
  );
  const res = record(out, [logits], (g) => {
    const dx = Tensor.empty(gpu, logits.shape, 'A cross-entropy gradient');
    gpu.dispatch(
      crossEntropyKernel('backward', mean),
      { logits: logits.buffer, targets: targets.buffer, stats: stats.buffer, g: g.buffer, dx: dx.buffer },
      uniforms,
      grid,
    );
    return [dx];
  });
  // The statistics live as long as the loss (its backward needs them).
  if (res.backwardFn) res.own(stats);
  else stats.dispose();
  return res;
}
