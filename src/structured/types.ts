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

/**
 * What is known about a family without a GPU: its name, words for the UI, and the shape checks and
 * parameter count of a spec. Lives in src/structured/<family>.spec.ts beside the spec's zod schema,
 * so configs can be validated (and the UI can describe families) without loading any engine code.
 */
export interface FamilyMeta<S extends { family: string }> {
  name: S['family'];
  /** One-line label for plots ("Monarch (m1 = 8)"). */
  label(spec: S): string;
  /** One paragraph on what it is, for the UI. */
  about: string;
  paper: { title: string; url: string };
  /** Throw SpecError (naming the field) if the spec cannot describe a rows × cols matrix. */
  validate(spec: S, rows: number, cols: number): void;
  /** Stored numbers for a rows × cols matrix under this spec (for budgets, before projecting). */
  paramCount(spec: S, rows: number, cols: number): number;
}
