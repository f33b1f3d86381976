/**
 * Gradient statistics for clipping by global norm and for NaN / Inf detection: one GPU buffer of
 * Σg² per parameter (one reduction each, copied side by side), read back with the loss in one map.
 */
import { sumSquares } from '../../tensor/ops';
import { Tensor, tidy } from '../../tensor/tensor';

/** [P] tensor of Σg² for each tensor (a parameter without a gradient gives 0). */
export function gradSquares(grads: Array<Tensor | null>, gpu: Tensor['gpu']): Tensor {
  const out = Tensor.zeros(gpu, [Math.max(1, grads.length)]);
  tidy(() => {
    grads.forEach((g, i) => {
      if (!g) return;
      const s = sumSquares(g);
      gpu.copy(s.buffer, 0, out.buffer, 4 * i, 4);
    });
  });
  return out;
}

/** PyTorch's clip_grad_norm_ factor: min(1, maxNorm / (total + 1e-6)); maxNorm ≤ 0 disables. */
export function clipFactor(totalNorm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) return 1;
  return Math.min(1, maxNorm / (totalNorm + 1e-6));
}
