/**
 * AuON (arXiv 2509.24320; ALGORITHMS.md §4) for one hidden 2-D weight: Muon's Nesterov momentum u,
 * then no matmul at all: X = u/(‖u‖_F + 1e-7); U = X/(√mean(cosh(X)²) + 1e-8);
 * p ← p·(1 − lr·wd) − lr·√max(1, rows/cols)·U. The norm and the mean stay on the GPU (read by the
 * kernels from one-element buffers): no read-back. (The authors' released code scales by a γ inside
 * cosh and divides G itself by the brake; the project follows the formula in ALGORITHMS.md.)
 */
import { mean, norm } from '../../tensor/ops';
import { Tensor, tidy } from '../../tensor/tensor';
import { dispatchOptim } from './kernels';
import type { MomentumOrthoOptions } from './muon';
import { stateLike, type UpdateRule } from './rule';

export class AuonRule implements UpdateRule {
  private m: Tensor | null = null;
  constructor(readonly o: MomentumOrthoOptions) {}

  update(p: Tensor, g: Tensor, lr: number, gscale: number): void {
    this.m ??= stateLike(p);
    const m = this.m;
    const rows = p.rank >= 2 ? p.shape[p.rank - 2] : 1;
    const cols = p.shape[p.rank - 1];
    tidy(() => {
      const u = Tensor.empty(p.gpu, p.shape, 'An AuON momentum');
      dispatchOptim(
        'momentum',
        p,
        { g: g.buffer, m: m.buffer, o: u.buffer },
        { gscale, beta1: this.o.momentum, nesterov: this.o.nesterov },
      );
      const n = norm(u);
      const c = Tensor.empty(p.gpu, p.shape, 'AuON cosh²');
      dispatchOptim('coshsq', p, { u: u.buffer, unrm: n.buffer, o: c.buffer }, {});
      const brake = mean(c);
      dispatchOptim(
        'auon',
        p,
        { p: p.buffer, u: u.buffer, unrm: n.buffer, brake: brake.buffer },
        { lr, wd: this.o.weightDecay, scale: Math.sqrt(Math.max(1, rows / cols)) },
      );
    });
  }

  state(): Tensor[] {
    return this.m ? [this.m] : [];
  }

  dispose(): void {
    this.m?.dispose();
    this.m = null;
  }
}
