/**
 * Measurements the experiment kinds share: errors and spectral norms in float64 on the CPU,
 * heatmaps downsampled by block means, and GPU timings (warm-up, then the median of repeats).
 */

import { type Gpu, MAX_TIMED_PASSES } from '../gpu/device';
import { median } from '../gpu/stats';
import { frobenius } from '../linalg/factors';
import { svdJacobi } from '../linalg/jacobi';
import type { Rng } from '../tensor/rng';
import type { Artifact } from './envelope';

/** Up to this m·n·min(m, n) the exact Jacobi SVD is used (≈ 256 × 256, well under a second). */
export const EXACT_SVD_WORK = 256 ** 3;

export function exactSvdAffordable(rows: number, cols: number): boolean {
  return rows * cols * Math.min(rows, cols) <= EXACT_SVD_WORK;
}

export { frobenius };

export function difference(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

export function singularValues(a: Float64Array, rows: number, cols: number): Float64Array {
  return svdJacobi(a, rows, cols).S;
}

/**
 * ‖A‖₂ by power iteration on AᵀA in float64 from a seeded start (deterministic). `iters` steps;
 * relative accuracy is ample for error plots (the estimate is a lower bound that converges).
 */
export function spectralNormPower(a: Float64Array, rows: number, cols: number, rng: Rng, iters = 80): number {
  let v = rng.normals(cols);
  let nv = frobenius(v);
  if (nv === 0) return 0;
  for (let j = 0; j < cols; j++) v[j] /= nv;
  const u = new Float64Array(rows);
  let sigma = 0;
  for (let it = 0; it < iters; it++) {
    for (let i = 0; i < rows; i++) {
      let s = 0;
      const o = i * cols;
      for (let j = 0; j < cols; j++) s += a[o + j] * v[j];
      u[i] = s;
    }
    sigma = frobenius(u);
    if (sigma === 0) return 0;
    const w = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      const ui = u[i];
      const o = i * cols;
      for (let j = 0; j < cols; j++) w[j] += a[o + j] * ui;
    }
    nv = frobenius(w);
    if (nv === 0) return sigma;
    for (let j = 0; j < cols; j++) w[j] /= nv;
    v = w;
  }
  return sigma;
}

/** ‖A‖₂: exact (largest singular value) when affordable, else power iteration. */
export function spectralNorm(a: Float64Array, rows: number, cols: number, rng: Rng): number {
  if (exactSvdAffordable(rows, cols)) return singularValues(a, rows, cols)[0] ?? 0;
  return spectralNormPower(a, rows, cols, rng);
}

/** Block means of a rows × cols matrix onto at most max × max cells. */
export function downsample(
  a: ArrayLike<number>,
  rows: number,
  cols: number,
  max = 64,
): Artifact & { type: 'matrix' } {
  const r = Math.min(rows, max);
  const c = Math.min(cols, max);
  const sum = new Float64Array(r * c);
  const cnt = new Float64Array(r * c);
  for (let i = 0; i < rows; i++) {
    const bi = Math.floor((i * r) / rows);
    for (let j = 0; j < cols; j++) {
      const k = bi * c + Math.floor((j * c) / cols);
      sum[k] += a[i * cols + j];
      cnt[k]++;
    }
  }
  const values = Array.from(sum, (s, k) => s / cnt[k]);
  const out: Artifact & { type: 'matrix' } = { type: 'matrix', label: '', rows: r, cols: c, values };
  if (r !== rows || c !== cols) {
    out.sourceRows = rows;
    out.sourceCols = cols;
  }
  return out;
}

/** One timed quantity: median, spread and sample count (ms per call). */
export interface TimeStats {
  median: number;
  min: number;
  max: number;
  /** Timed samples. */
  n: number;
}

function stats(samples: number[]): TimeStats {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), n: samples.length };
}

/** The clock's smallest step must be at most 1 / MIN_TICKS of a sample. */
export const MIN_TICKS = 100;

function repeat(fn: () => void, times: number): void {
  for (let i = 0; i < times; i++) fn();
}

/**
 * GPU times of several pieces of work (`records[k]` records one call and must not wait), timed
 * alternately: `warmup` untimed calls of each, then `repeats` rounds, each timing every piece once
 * (order reversed every other round, so drift hits all alike). A sample records the work `reps`
 * times back to back and is divided by `reps`, where `reps` is the same for all pieces and chosen so
 * that (1) every pass of the sample is inside the timed span (Gpu.time times at most
 * MAX_TIMED_PASSES passes: a sample that outgrows it is an error, not a silent under-count) and
 * (2) the fastest piece's sample spans ≥ MIN_TICKS steps of the clock (gpu.timerResolutionMs()).
 * Returns each piece's samples (ms per call) and the reps used.
 */
export async function timeAlternating(
  gpu: Gpu,
  records: Array<() => void>,
  warmup: number,
  repeats: number,
): Promise<{ samples: number[][]; reps: number }> {
  for (let i = 0; i < warmup; i++)
    for (const record of records) {
      record();
      await gpu.sync();
    }
  // One probe per piece: passes per call and a first time.
  const probes = [];
  for (const record of records) probes.push(await gpu.time(record));
  const passesPerCall = Math.max(1, ...probes.map((p) => p.passes));
  const maxReps = Math.max(1, Math.floor(MAX_TIMED_PASSES / passesPerCall));
  const tick = gpu.timerResolutionMs() ?? 0;
  const fastest = Math.min(...probes.map((p) => p.ms));
  let reps = 1;
  if (tick > 0) reps = fastest > 0 ? Math.ceil((MIN_TICKS * tick) / fastest) : maxReps;
  reps = Math.min(Math.max(reps, 1), maxReps);
  const samples: number[][] = records.map(() => []);
  for (let r = 0; r < repeats; r++) {
    const order = records.map((_, k) => k);
    if (r % 2 === 1) order.reverse();
    for (const k of order) {
      const t = await gpu.time(() => repeat(records[k], reps));
      if (t.timedPasses !== t.passes)
        throw new Error(`timing: only ${t.timedPasses} of ${t.passes} passes were timed (reps ${reps})`);
      samples[k].push(t.ms / reps);
    }
  }
  return { samples, reps };
}

/** Median, min, max and count of GPU times of one piece of work (see timeAlternating). */
export async function timeStats(
  gpu: Gpu,
  record: () => void,
  warmup: number,
  repeats: number,
): Promise<TimeStats> {
  const { samples } = await timeAlternating(gpu, [record], warmup, repeats);
  return stats(samples[0]);
}

/** The median GPU time of one call of `record` (see timeAlternating). */
export async function timeGpu(
  gpu: Gpu,
  record: () => void,
  warmup: number,
  repeats: number,
): Promise<number> {
  return (await timeStats(gpu, record, warmup, repeats)).median;
}

export { stats as timeStatsOf };

/** Round to 6 significant digits (JSON stays readable; figures stay far above f32 noise). */
export function sig(x: number, digits = 6): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}
