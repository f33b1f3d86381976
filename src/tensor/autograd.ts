/**
 * The one way an op joins the autograd graph: if any input needs a gradient, the output records
 * its parents and a backward function returning one gradient (or null) per parent.
 */
import type { Tensor } from './tensor';

let noGradDepth = 0;

/** False inside noGrad(): ops then record no graph, so nothing is kept alive for a backward pass. */
export function gradEnabled(): boolean {
  return noGradDepth === 0;
}

/** Run fn without recording gradients (values for plots, errors and evaluation). */
export function noGrad<T>(fn: () => T): T {
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

/** True when gradients must flow into t (a trainable leaf, or computed from one). */
export function needsGrad(...ts: Tensor[]): boolean {
  return ts.some((t) => t.requiresGrad || t.backwardFn !== null);
}

export function record(out: Tensor, parents: Tensor[], fn: (g: Tensor) => Array<Tensor | null>): Tensor {
  if (gradEnabled() && needsGrad(...parents)) {
    out.parents = parents;
    out.backwardFn = fn;
    out.requiresGrad = true;
  }
  return out;
}
