/**
 * One training loop for the tiny transformer, shared by the `pretrain` experiment, `npm run
 * pretrain` and the training benchmark. A step: forward + cross-entropy + backward inside one
 * tidy(), Σg² per parameter into one stats buffer together with the loss (ONE read-back per
 * step), a NaN / Inf check naming the step and parameter, clipping by global norm, the optimizer
 * update in place, gradients dropped. Live tensors stay flat from step to step.
 */

import type { TokenBatch } from '../data/text';
import { noGrad } from '../tensor/autograd';
import { sumSquares } from '../tensor/ops';
import { Tensor, tidy } from '../tensor/tensor';
import { crossEntropy } from './loss';
import { clipFactor } from './optim/clip';
import { Optimizer } from './optim/optimizer';
import { lrFactor } from './optim/schedule';
import type { OptimizerSpec, ScheduleSpec } from './optim/schema';
import type { Transformer } from './transformer';

export class TrainingDivergedError extends Error {
  constructor(
    readonly step: number,
    readonly what: string,
  ) {
    super(`training diverged at step ${step}: ${what} is not finite (NaN or Inf)`);
    this.name = 'TrainingDivergedError';
  }
}

export interface TrainerOptions {
  optimizer: OptimizerSpec;
  schedule: ScheduleSpec;
  steps: number;
  /** Clip the global gradient norm to this (0 = off). */
  clip: number;
}

export interface StepStats {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
}

export class Trainer {
  readonly opt: Optimizer;
  private t = 0;

  constructor(
    readonly model: Transformer,
    readonly o: TrainerOptions,
  ) {
    this.opt = new Optimizer(model.namedParameters(), o.optimizer);
  }

  get stepsDone(): number {
    return this.t;
  }

  /**
   * Record one step (forward, backward, stats, update) without waiting for the GPU; returns the
   * stats tensor [P + 1] (Σg² per parameter, then the loss) for finish(). A test may inject a
   * poisoned gradient through `afterBackward`.
   */
  async step(batch: TokenBatch, afterBackward?: () => void): Promise<StepStats> {
    const { model } = this;
    const params = model.namedParameters();
    const gpu = model.gpu;
    const stats = Tensor.zeros(gpu, [params.length + 1]);
    tidy(() => {
      const loss = crossEntropy(model.forward(batch.x, batch.batch, batch.context), batch.y);
      loss.backward();
      afterBackward?.();
      gpu.copy(loss.buffer, 0, stats.buffer, 4 * params.length, 4);
      params.forEach((p, i) => {
        if (p.tensor.grad) gpu.copy(sumSquares(p.tensor.grad).buffer, 0, stats.buffer, 4 * i, 4);
      });
    });
    const s = await stats.read();
    stats.dispose();
    const step = this.t;
    const loss = s[params.length];
    if (!Number.isFinite(loss)) {
      this.opt.zeroGrad();
      throw new TrainingDivergedError(step, 'the loss');
    }
    let sq = 0;
    for (let i = 0; i < params.length; i++) {
      if (!Number.isFinite(s[i])) {
        this.opt.zeroGrad();
        throw new TrainingDivergedError(step, `the gradient of ${params[i].name}`);
      }
      sq += s[i];
    }
    const gradNorm = Math.sqrt(sq);
    const lr = lrFactor(this.o.schedule, step, this.o.steps);
    this.opt.step(lr, clipFactor(gradNorm, this.o.clip));
    this.opt.zeroGrad();
    this.t++;
    return { step, loss, gradNorm, lr };
  }

  /**
   * Record one plain step (forward, backward, update at the schedule's lr, no clipping, no
   * read-back and no NaN check): what the training benchmark times. Returns nothing to wait on.
   */
  record(batch: TokenBatch): void {
    tidy(() => {
      crossEntropy(this.model.forward(batch.x, batch.batch, batch.context), batch.y).backward();
    });
    this.opt.step(lrFactor(this.o.schedule, this.t, this.o.steps), 1);
    this.opt.zeroGrad();
    this.t++;
  }

  dispose(): void {
    this.opt.dispose();
  }
}

/**
 * One step of a loop that keeps its own optimizer at a fixed lr (fine-tune, compression's
 * recovery): `loss()` recorded and backpropagated inside one tidy(), one read-back, a NaN / Inf
 * check, the update, gradients dropped. A non-finite loss throws an error named
 * TrainingDivergedError with the message `diverged()` gives, before any update. Returns the loss.
 */
export async function fixedLrStep(
  opt: Optimizer,
  loss: () => Tensor,
  diverged: () => string,
): Promise<number> {
  const l = tidy(() => {
    const v = loss();
    v.backward();
    return v;
  });
  const v = await l.item();
  l.dispose();
  if (!Number.isFinite(v)) throw Object.assign(new Error(diverged()), { name: 'TrainingDivergedError' });
  opt.step();
  opt.zeroGrad();
  return v;
}

/** Mean loss over fixed batches, without gradients (validation). */
export async function evaluate(model: Transformer, batches: TokenBatch[]): Promise<number> {
  let total = 0;
  let count = 0;
  for (const b of batches) {
    const l = tidy(() => noGrad(() => crossEntropy(model.forward(b.x, b.batch, b.context), b.y)));
    total += (await l.item()) * b.batch;
    count += b.batch;
    l.dispose();
  }
  return total / count;
}
