/**
 * The one way an op joins the autograd graph: if any input needs a gradient, the output records
 * its parents and a backward function returning one gradient (or null) per parent.
 */
import type { Tensor } from './tensor';

/** True when gradients must flow into t (a trainable leaf, or computed from one). */
export function needsGrad(...ts: Tensor[]): boolean {
  return ts.some((t) => t.requiresGrad || t.backwardFn !== null);
}

export function record(out: Tensor, parents: Tensor[], fn: (g: Tensor) => Array<Tensor | null>): Tensor {
  if (needsGrad(...parents)) {
    out.parents = parents;
    out.backwardFn = fn;
    out.requiresGrad = true;
  }
  return out;
}
