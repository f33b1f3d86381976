/**
 * AdamW (Loshchilov & Hutter; PyTorch's torch.optim.AdamW): decoupled weight decay
 * p ← p·(1 − lr·wd), then the bias-corrected Adam step, all in one fused kernel
 * (shaders/optim.wgsl `adamw`): one dispatch per parameter per step.
 */
import type { Tensor } from '../../tensor/tensor';
import { dispatchOptim } from './kernels';
import { stateLike, type UpdateRule } from './rule';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export class AdamWRule implements UpdateRule {
  private m: Tensor | null = null;
  private v: Tensor | null = null;
  private t = 0;
  constructor(readonly o: AdamWOptions) {}

  update(p: Tensor, g: Tensor, lr: number, gscale: number): void {
    this.m ??= stateLike(p);
    this.v ??= stateLike(p);
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.o;
    dispatchOptim(
      'adamw',
      p,
      { p: p.buffer, g: g.buffer, m: this.m.buffer, v: this.v.buffer },
      { lr, wd: weightDecay, gscale, beta1, beta2, eps, bc1: 1 - beta1 ** this.t, bc2: 1 - beta2 ** this.t },
    );
  }

  state(): Tensor[] {
    return [this.m, this.v].filter((t): t is Tensor => t !== null);
  }

  dispose(): void {
    this.m?.dispose();
    this.v?.dispose();
    this.m = this.v = null;
  }
}
