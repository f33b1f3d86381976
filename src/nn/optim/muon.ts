/**
 * Muon (KellerJordan/Muon; ALGORITHMS.md §4) for one hidden 2-D weight [rows, cols]:
 *   m ← lerp(m, g, 1 − β);  u = lerp(g, m, β) (Nesterov, β = 0.95);
 *   O = NS5(u)·√max(1, rows/cols);  p ← p·(1 − lr·wd) − lr·O
 * NS5 is src/linalg/newton-schulz.ts (GPU matmuls). Embeddings, the head, norms and biases do not
 * use this rule: the Optimizer routes them to AdamW (parameter groups, as in PyTorch).
 */
import { newtonSchulz5 } from '../../linalg/newton-schulz';
import { Tensor, tidy } from '../../tensor/tensor';
import { dispatchOptim } from './kernels';
import { stateLike, type UpdateRule } from './rule';

export interface MomentumOrthoOptions {
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

export class MuonRule implements UpdateRule {
  private m: Tensor | null = null;
  constructor(readonly o: MomentumOrthoOptions) {}

  update(p: Tensor, g: Tensor, lr: number, gscale: number): void {
    if (p.rank !== 2) throw new Error(`Muon updates 2-D weights, got shape [${p.shape.join(', ')}]`);
    this.m ??= stateLike(p);
    const m = this.m;
    const [rows, cols] = p.shape;
    tidy(() => {
      const u = Tensor.empty(p.gpu, p.shape, 'A Muon momentum');
      dispatchOptim(
        'momentum',
        p,
        { g: g.buffer, m: m.buffer, o: u.buffer },
        { gscale, beta1: this.o.momentum, nesterov: this.o.nesterov },
      );
      const O = newtonSchulz5(u);
      dispatchOptim(
        'apply',
        p,
        { p: p.buffer, u: O.buffer },
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
