/**
 * Fine-tuning one adapted Linear on a regression task (the teacher–student task of src/data/regression):
 * mean-squared error of x·W_adaptedᵀ against y, full-batch or minibatch, the project's Optimizer over
 * the adapter's own parameters. Also the gradient of the base weight LoRA-SB's init needs.
 */
import { mean, square, sub } from '../../tensor/ops';
import { type Tensor, tidy } from '../../tensor/tensor';
import { Optimizer } from '../optim/optimizer';
import type { OptimizerSpec } from '../optim/schema';
import type { Adapter, BaseLinear } from './adapter';

export function mse(pred: Tensor, target: Tensor): Tensor {
  return mean(square(sub(pred, target)));
}

/** Loss of the adapter on (x, y) without training. */
export async function regressionLoss(adapter: Adapter, x: Tensor, y: Tensor): Promise<number> {
  const l = tidy(() => mse(adapter.forward(x), y));
  const v = await l.item();
  l.dispose();
  return v;
}

/**
 * ∂MSE/∂W of the base layer at W, summed over `batches` row-slices of (x, y) (LoRA-SB's init), computed
 * in f64 on the CPU: ∂/∂W mean((xWᵀ − y)²) = 2/(N·out)·(xWᵀ − y)ᵀ·x per batch.
 */
export function baseGradient(
  base: BaseLinear,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  samples: number,
  batches: number,
): Float64Array {
  const { out, in: inp, weight: w } = base;
  const g = new Float64Array(out * inp);
  const per = Math.max(1, Math.floor(samples / batches));
  for (let b = 0; b < batches; b++) {
    const lo = b * per;
    const hi = Math.min(samples, lo + per);
    const N = hi - lo;
    for (let s = lo; s < hi; s++)
      for (let i = 0; i < out; i++) {
        let acc = base.bias ? base.bias[i] : 0;
        for (let j = 0; j < inp; j++) acc += x[s * inp + j] * w[i * inp + j];
        const e = (2 * (acc - y[s * out + i])) / (N * out);
        for (let j = 0; j < inp; j++) g[i * inp + j] += e * x[s * inp + j];
      }
  }
  return g;
}

export interface FitOptions {
  optimizer: OptimizerSpec;
  steps: number;
  /** Called after each step with the step's training loss (before the update). */
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

/** Full-batch training; returns the loss before each step. */
export async function fitRegression(
  adapter: Adapter,
  x: Tensor,
  y: Tensor,
  o: FitOptions,
): Promise<number[]> {
  const opt = new Optimizer(adapter.namedParameters(), o.optimizer, () => false);
  const losses: number[] = [];
  try {
    for (let t = 0; t < o.steps; t++) {
      const l = tidy(() => {
        const loss = mse(adapter.forward(x), y);
        loss.backward();
        return loss;
      });
      const v = await l.item();
      l.dispose();
      if (!Number.isFinite(v))
        throw new Error(`${adapter.method}: training diverged at step ${t}: the loss is not finite`);
      losses.push(v);
      opt.step();
      opt.zeroGrad();
      await o.onStep?.(t, v);
    }
  } finally {
    opt.dispose();
  }
  return losses;
}
