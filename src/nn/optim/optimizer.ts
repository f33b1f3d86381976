/**
 * The optimizer over a model's named parameters, with parameter groups as in PyTorch: for Muon and
 * AuON the hidden 2-D weights get the orthogonalising rule, everything else (embeddings, the head,
 * norm gains, biases, factors that are not 2-D) AdamW; AdamW's weight decay applies to rank ≥ 2
 * weights only (nanoGPT). Every update is in place on the parameter's own storage.
 */
import type { Tensor } from '../../tensor/tensor';
import { AdamWRule } from './adamw';
import { AuonRule } from './auon';
import { MuonRule } from './muon';
import type { UpdateRule } from './rule';
import type { OptimizerSpec } from './schema';
import { SgdRule } from './sgd';

export interface NamedParam {
  name: string;
  tensor: Tensor;
}

/** Embeddings and the output head are not "hidden" weights (Muon's README; modded-nanogpt). */
export function isHiddenMatrix(p: NamedParam): boolean {
  return p.tensor.rank === 2 && !/(^|\.)(tok_emb|pos_emb|wte|wpe|lm_head|head)(\.|$)/.test(p.name);
}

interface Slot {
  param: NamedParam;
  rule: UpdateRule;
  lr: number;
  group: 'matrix' | 'adamw' | 'sgd';
}

export class Optimizer {
  private readonly slots: Slot[];

  constructor(
    params: NamedParam[],
    readonly spec: OptimizerSpec,
    isHidden: (p: NamedParam) => boolean = isHiddenMatrix,
  ) {
    this.slots = params.map((param) => {
      const s = spec;
      const decays = param.tensor.rank >= 2;
      if (s.name === 'adamw')
        return {
          param,
          lr: s.lr,
          group: 'adamw',
          rule: new AdamWRule({
            beta1: s.beta1,
            beta2: s.beta2,
            eps: s.eps,
            weightDecay: decays ? s.weightDecay : 0,
          }),
        };
      if (s.name === 'sgd')
        return {
          param,
          lr: s.lr,
          group: 'sgd',
          rule: new SgdRule({ momentum: s.momentum, nesterov: s.nesterov, weightDecay: s.weightDecay }),
        };
      if (isHidden(param)) {
        const o = { momentum: s.momentum, nesterov: s.nesterov, weightDecay: s.weightDecay };
        return {
          param,
          lr: s.lr,
          group: 'matrix',
          rule: s.name === 'muon' ? new MuonRule(o) : new AuonRule(o),
        };
      }
      return {
        param,
        lr: s.adamLr,
        group: 'adamw',
        rule: new AdamWRule({
          beta1: s.adamBeta1,
          beta2: s.adamBeta2,
          eps: 1e-8,
          weightDecay: decays ? s.adamWeightDecay : 0,
        }),
      };
    });
  }

  /** Which group each parameter landed in (for the UI and tests). */
  groups(): Array<{ name: string; group: Slot['group']; lr: number }> {
    return this.slots.map((s) => ({ name: s.param.name, group: s.group, lr: s.lr }));
  }

  /** One update of every parameter that has a gradient: lr = base lr × lrFactor, g × gradScale. */
  step(lrFactor = 1, gradScale = 1): void {
    for (const s of this.slots) {
      const g = s.param.tensor.grad;
      if (g) s.rule.update(s.param.tensor, g, s.lr * lrFactor, gradScale);
    }
  }

  /** Drop every gradient (their buffers go back to the pool). */
  zeroGrad(): void {
    for (const s of this.slots) {
      s.param.tensor.grad?.dispose();
      s.param.tensor.grad = null;
    }
  }

  /** Optimizer state tensors (moments, momenta). */
  stateTensors(): Tensor[] {
    return this.slots.flatMap((s) => s.rule.state());
  }

  dispose(): void {
    for (const s of this.slots) s.rule.dispose();
  }
}
