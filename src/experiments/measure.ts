/**
 * Measurements the experiment kinds share: errors and spectral norms in float64 on the CPU,
 * heatmaps downsampled by block means, and GPU timings (warm-up, then the median of repeats).
 */

import type { Gpu } from '../gpu/device';
import { median } from '../gpu/stats';
import { svdJacobi } from '../linalg/jacobi';
import type { Rng } from '../tensor/rng';
import type { Artifact } from './envelope';

/** Up to this m·n·min(m, n) the exact Jacobi SVD is used (≈ 256 × 256, well under a second). */
export const EXACT_SVD_WORK = 256 ** 3;

export function exactSvdAffordable(rows: number, cols: number): boolean {
  return rows * cols * Math.min(rows, cols) <= EXACT_SVD_WORK;
}

export function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

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

/**
 * GPU time of the work `record` records (it must not wait): `warmup` untimed calls, then the
 * median of `repeats` timed samples (timestamp queries where the adapter has them). When one call
 * is below the timer's resolution (it reads 0; SwiftShader's tick is ~65 µs), each sample records
 * the work 8 or 64 times back to back and reports the time per call (0 if even that reads 0). (Batching always would be better on
 * a real GPU, but on SwiftShader in Node long samples are inflated by Dawn's busy-waiting thread.)
 */
function repeat(fn: () => void, times: number): void {
  for (let i = 0; i < times; i++) fn();
}

export async function timeGpu(
  gpu: Gpu,
  record: () => void,
  warmup: number,
  repeats: number,
): Promise<number> {
  for (let i = 0; i < warmup; i++) {
    record();
    await gpu.sync();
  }
  let reps = 1;
  while (reps < 64 && (await gpu.time(() => repeat(record, reps))).ms === 0) reps *= 8;
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const { ms } = await gpu.time(() => repeat(record, reps));
    samples.push(ms / reps);
  }
  return median(samples);
}

/** Round to 6 significant digits (JSON stays readable; figures stay far above f32 noise). */
export function sig(x: number, digits = 6): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}
