/** Embedding (optionally factorised, OFA), LayerNorm, RMSNorm and the GPT-2 MLP. */
import { gelu, matmul } from '../tensor/ops';
import type { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { gatherRows, layerNorm, rmsNorm } from './functional';
import { Linear, type WeightSpec } from './linear';
import { Module } from './module';

/**
 * Token (or position) embedding E [V, d]; with `rank` r the table is factorised E = C·P,
 * C [V, r] token coordinates and P [r, d] shared primitives (OFA, ALGORITHMS.md §7).
 */
export class Embedding extends Module {
  readonly weight: Tensor | null = null;
  readonly coords: Tensor | null = null;
  readonly primitives: Tensor | null = null;

  constructor(
    gpu: Tensor['gpu'],
    readonly num: number,
    readonly dim: number,
    rng: Rng,
    rank?: number,
    std = 0.02,
  ) {
    super();
    if (rank === undefined) this.weight = this.param('weight', Tensor.randn(gpu, [num, dim], rng, std));
    else {
      // Var(E) = r·Var(C)·Var(P) = std²
      const s = Math.sqrt(std / Math.sqrt(rank));
      this.coords = this.param('coords', Tensor.randn(gpu, [num, rank], rng, s));
      this.primitives = this.param('primitives', Tensor.randn(gpu, [rank, dim], rng, s));
    }
  }

  /** The full table [V, d] (a product when factorised). */
  table(): Tensor {
    return this.weight ?? matmul(this.coords as Tensor, this.primitives as Tensor);
  }

  /** ids (length N) → [N, d]. */
  forward(ids: ArrayLike<number>): Tensor {
    if (this.weight) return gatherRows(this.weight, ids);
    return matmul(gatherRows(this.coords as Tensor, ids), this.primitives as Tensor);
  }
}

export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(
    gpu: Tensor['gpu'],
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.param('weight', Tensor.full(gpu, [dim], 1));
    this.bias = this.param('bias', Tensor.zeros(gpu, [dim]));
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

export class RMSNorm extends Module {
  readonly weight: Tensor;
  constructor(
    gpu: Tensor['gpu'],
    readonly dim: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.param('weight', Tensor.full(gpu, [dim], 1));
  }
  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }
}

/** d → 4d → d with GELU (tanh form); `proj` is a residual projection (smaller init). */
export class MLP extends Module {
  readonly fc: Linear;
  readonly proj: Linear;
  constructor(
    gpu: Tensor['gpu'],
    d: number,
    o: { weight: WeightSpec; bias: boolean; residStd: number; rng: Rng },
  ) {
    super();
    this.fc = this.child('fc', new Linear(gpu, d, 4 * d, { weight: o.weight, bias: o.bias, rng: o.rng }));
    this.proj = this.child(
      'proj',
      new Linear(gpu, 4 * d, d, { weight: o.weight, bias: o.bias, std: o.residStd, rng: o.rng }),
    );
  }
  forward(x: Tensor): Tensor {
    return this.proj.forward(gelu(this.fc.forward(x)));
  }
}
