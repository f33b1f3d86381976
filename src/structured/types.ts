/**
 * The contract every structured family implements (DESIGN.md "Core interfaces").
 * W is out × in (rows × cols); apply computes Y = X·Wᵀ for X of shape [batch, cols].
 */
import type { Rng } from '../tensor/rng';
import type { Tensor } from '../tensor/tensor';

export interface StructuredMatrix {
  readonly kind: string;
  /** out */
  readonly rows: number;
  /** in */
  readonly cols: number;
  /** Stored numbers. */
  readonly params: number;
  /** 2 × multiply-adds of apply() for a batch of `batch` rows. */
  flops(batch: number): number;
  /** Y = X·Wᵀ, X [batch, cols] → Y [batch, rows], never forming W; differentiable in X and parameters(). */
  apply(x: Tensor): Tensor;
  /** W as a dense [rows, cols] tensor (for plots, errors and tests). */
  toDense(): Tensor;
  /** What an optimiser may train. */
  parameters(): Tensor[];
  dispose(): void;
}

/** Options every projection accepts. */
export interface ProjectOptions {
  /** Seeded randomness (randomized SVD, random supports). */
  rng?: Rng;
}

/** Thrown for a spec that cannot describe a matrix of the given shape; names the field. */
export class SpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SpecError';
  }
}
