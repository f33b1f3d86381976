/** SGD with momentum (PyTorch's torch.optim.SGD, dampening 0): L2 weight decay folded into g. */
import type { Tensor } from '../../tensor/tensor';
import { dispatchOptim } from './kernels';
import { stateLike, type UpdateRule } from './rule';

export interface SgdOptions {
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

export class SgdRule implements UpdateRule {
  private buf: Tensor | null = null;
  constructor(readonly o: SgdOptions) {}

  update(p: Tensor, g: Tensor, lr: number, gscale: number): void {
    this.buf ??= stateLike(p);
    dispatchOptim(
      'sgd',
      p,
      { p: p.buffer, g: g.buffer, m: this.buf.buffer },
      { lr, wd: this.o.weightDecay, gscale, beta1: this.o.momentum, nesterov: this.o.nesterov },
    );
  }

  state(): Tensor[] {
    return this.buf ? [this.buf] : [];
  }

  dispose(): void {
    this.buf?.dispose();
    this.buf = null;
  }
}
