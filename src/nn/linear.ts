/**
 * Linear(in, out, {bias, weight}): y = x·Wᵀ + b with W out × in, dense or any structured family
 * (src/structured: same apply(), their own backward). Structured factors are parameters named
 * `weight.<factor>` (lowrank: weight.B, weight.A; monarch: weight.w1, weight.w2; …).
 *
 * Init: dense W ~ N(0, std) (nanoGPT: 0.02, residual projections 0.02/√(2·layers)); structured
 * weights use their family's own seeded init (FamilyDef.random: variance-preserving for
 * blockdiag / monarch / kronecker, SLTrain's for sparse+lowrank: B = 0, A Kaiming-uniform,
 * S ~ U(±1/√in)); biases 0.
 */
import { familyOf } from '../structured/registry';
import type { StructuredMatrix } from '../structured/types';
import { add, matmul } from '../tensor/ops';
import type { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { Module } from './module';

import type { WeightSpec } from './transformer.schema';

export { type WeightSpec, weightParams } from './transformer.schema';

const FACTOR_NAMES: Record<string, string[]> = {
  lowrank: ['B', 'A'],
  blockdiag: ['blocks'],
  monarch: ['w1', 'w2'],
  sparse: ['values'],
  'sparse+lowrank': ['A', 'B', 'values'],
  kronecker: ['A', 'B'],
};

export interface LinearOptions {
  bias?: boolean;
  weight?: WeightSpec;
  /** Std of the dense init (default 0.02). */
  std?: number;
  rng: Rng;
}

export class Linear extends Module {
  readonly weight: Tensor | null = null;
  readonly structured: StructuredMatrix | null = null;
  readonly bias: Tensor | null = null;
  readonly spec: WeightSpec;

  constructor(
    gpu: Tensor['gpu'],
    readonly inFeatures: number,
    readonly outFeatures: number,
    o: LinearOptions,
  ) {
    super();
    this.spec = o.weight ?? { family: 'dense' };
    if (this.spec.family === 'dense') {
      this.weight = this.param('weight', Tensor.randn(gpu, [outFeatures, inFeatures], o.rng, o.std ?? 0.02));
    } else {
      const fam = familyOf(this.spec);
      fam.validate(this.spec, outFeatures, inFeatures);
      const sm = fam.random(gpu, outFeatures, inFeatures, this.spec, { rng: o.rng });
      this.structured = sm;
      const names = FACTOR_NAMES[this.spec.family] ?? [];
      const ps = sm.parameters();
      const holder = new FactorHolder(ps, names);
      this.child('weight', holder);
    }
    if (o.bias) this.bias = this.param('bias', Tensor.zeros(gpu, [outFeatures]));
  }

  /**
   * A fine-tuning adapter wrapping this layer (src/nn/adapters, set by applyAdapters): forward then
   * delegates to it. Its parameters are the adapter's own, not this module's.
   */
  adapter: { forward(x: Tensor): Tensor } | null = null;

  /** x [..., in] → [..., out]. */
  forward(x: Tensor): Tensor {
    if (this.adapter) return this.adapter.forward(x);
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? x : x.reshape([-1, this.inFeatures]);
    let y = this.structured ? this.structured.apply(x2) : matmul(x2, this.weight as Tensor, { transB: true });
    if (this.bias) y = add(y, this.bias);
    return x.rank === 2 ? y : y.reshape([...lead, this.outFeatures]);
  }

  /**
   * Compression (src/experiments/compression.ts): forward applies `sm` (a projection of this
   * layer's W, same out × in) instead of the dense weight, which stays registered and untouched;
   * `swapStructured(null)` gives the dense layer back. The caller owns `sm` (disposes it after
   * swapping it out). Only for a dense Linear; returns the matrix swapped out.
   */
  swapStructured(sm: StructuredMatrix | null): StructuredMatrix | null {
    if (!this.weight) throw new Error('swapStructured: the layer is structured already (its own weight)');
    if (sm && (sm.rows !== this.outFeatures || sm.cols !== this.inFeatures))
      throw new Error(
        `swapStructured: a ${sm.rows} × ${sm.cols} matrix for a ${this.outFeatures} × ${this.inFeatures} layer`,
      );
    const prev = this.structured;
    (this as { structured: StructuredMatrix | null }).structured = sm;
    return prev;
  }

  override dispose(): void {
    super.dispose();
    // a swapped-in matrix belongs to the caller; a structured weight of its own is disposed here
    if (!this.weight) this.structured?.dispose();
  }
}

/** The structured factors as named parameters of `weight` (the StructuredMatrix owns the storage). */
class FactorHolder extends Module {
  constructor(ps: Tensor[], names: string[]) {
    super();
    ps.forEach((t, i) => {
      this.param(names[i] ?? String(i), t);
    });
  }
  override dispose(): void {
    // the StructuredMatrix disposes its own tensors
  }
}
