/**
 * A seeded synthetic regression task whose answer is known, for adapter experiments: a base
 * weight W₀ (out × in, N(0, 1/in)), a teacher W* = W₀ + ΔW with ΔW = B·A of a known rank r
 * (B out × r, A r × in, scaled so ‖ΔW‖_F = deltaNorm·‖W₀‖_F), inputs X (samples × in, N(0, 1)),
 * targets Y = X·W*ᵀ + noise·N(0, 1). A low-rank adapter of rank ≥ r on W₀ can reach zero error
 * (up to the noise); one of rank < r cannot go below the Eckart–Young tail of ΔW.
 */

import { frobenius } from '../linalg/factors';
import { Rng } from '../tensor/rng';

export interface RegressionTaskConfig {
  rows: number;
  cols: number;
  rank: number;
  samples: number;
  /** ‖ΔW‖_F / ‖W₀‖_F (default 0.5). */
  deltaNorm?: number;
  /** Std of the additive target noise (default 0). */
  noise?: number;
  seed: number;
}

export interface RegressionTask {
  rows: number;
  cols: number;
  rank: number;
  samples: number;
  /** W₀, row-major out × in. */
  base: Float64Array;
  /** ΔW = B·A (out × in) and its factors. */
  delta: Float64Array;
  B: Float64Array;
  A: Float64Array;
  /** W* = W₀ + ΔW. */
  teacher: Float64Array;
  x: Float64Array;
  y: Float64Array;
}

export function lowRankRegressionTask(c: RegressionTaskConfig): RegressionTask {
  const { rows, cols, rank, samples, seed } = c;
  for (const [k, v] of Object.entries({ rows, cols, rank, samples }))
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`regression task: ${k} must be a positive integer, got ${v}`);
  if (rank > Math.min(rows, cols))
    throw new Error(`regression task: rank ${rank} exceeds min(rows, cols) = ${Math.min(rows, cols)}`);
  const rng = new Rng(seed);
  const base = rng.normals(rows * cols, 1 / Math.sqrt(cols));
  const B = rng.normals(rows * rank);
  const A = rng.normals(rank * cols);
  const delta = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < rank; k++) {
      const b = B[i * rank + k];
      for (let j = 0; j < cols; j++) delta[i * cols + j] += b * A[k * cols + j];
    }
  const s = ((c.deltaNorm ?? 0.5) * frobenius(base)) / frobenius(delta);
  const rs = Math.sqrt(s);
  for (let i = 0; i < delta.length; i++) delta[i] *= s;
  for (let i = 0; i < B.length; i++) B[i] *= rs;
  for (let i = 0; i < A.length; i++) A[i] *= rs;
  const teacher = base.map((v, i) => v + delta[i]);
  const x = rng.normals(samples * cols);
  const y = new Float64Array(samples * rows);
  const noise = c.noise ?? 0;
  for (let n = 0; n < samples; n++)
    for (let i = 0; i < rows; i++) {
      let acc = 0;
      for (let j = 0; j < cols; j++) acc += x[n * cols + j] * teacher[i * cols + j];
      y[n * rows + i] = acc + (noise > 0 ? noise * rng.normal() : 0);
    }
  return { rows, cols, rank, samples, base, delta, B, A, teacher, x, y };
}
