/**
 * Randomized SVD (GPU sketch + small CPU Jacobi) against the exact one-sided Jacobi SVD (f64 CPU)
 * on one n × n matrix with a decaying spectrum, rank r. Both produce the top-r factors; the exact
 * path includes reading W back. Timed in alternating rounds (J R, R J, …) after a warm-up so that
 * machine-speed drift hits both alike; wall clock of the whole call (it includes the readbacks that
 * randomizedSvd needs), so it does not fit the bench registry's synchronous run(): call it directly.
 */

import type { Gpu } from '../gpu/device';
import { median } from '../gpu/stats';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { svdJacobi } from './jacobi';
import { matrixWithSpectrum } from './orthogonal';
import { type GpuSvd, randomizedSvd, truncatedSvd } from './rsvd';

export interface RsvdBenchOptions {
  /** Matrix size n (n × n); default 512. */
  n?: number;
  /** Target rank; default 32. */
  rank?: number;
  /** Power iterations of the randomized SVD; default 4. */
  niter?: number;
  /** Oversampling; default 10. */
  oversample?: number;
  /** Timed rounds per method; default 3 (the exact SVD of 512 × 512 takes seconds on a CPU). */
  rounds?: number;
  seed?: number;
  /** Spectrum σ_i = decay^i; default 0.97. */
  decay?: number;
  log?: (line: string) => void;
}

export interface RsvdBenchResult {
  n: number;
  rank: number;
  niter: number;
  jacobiMs: number[];
  rsvdMs: number[];
  jacobiMedianMs: number;
  rsvdMedianMs: number;
  /** Median over rounds of jacobi ms / rsvd ms (paired). */
  speedup: number;
  /** ‖W − W_r‖_F / Eckart–Young optimum for each method (1 = optimal). */
  jacobiErrorRatio: number;
  rsvdErrorRatio: number;
  timing: string;
}

async function truncationError(w: Float64Array, n: number, svd: GpuSvd): Promise<number> {
  const r = svd.S.length;
  const U = await svd.U.read();
  const V = await svd.V.read();
  let e = 0;
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    row.fill(0);
    for (let t = 0; t < r; t++) {
      const us = U[i * r + t] * svd.S[t];
      for (let j = 0; j < n; j++) row[j] += us * V[j * r + t];
    }
    for (let j = 0; j < n; j++) e += (w[i * n + j] - row[j]) ** 2;
  }
  return Math.sqrt(e);
}

export async function benchRsvdVsJacobi(gpu: Gpu, opts: RsvdBenchOptions = {}): Promise<RsvdBenchResult> {
  const { n = 512, rank = 32, niter = 4, oversample = 10, rounds = 3, seed = 1, decay = 0.97, log } = opts;
  const sigma = Array.from({ length: n }, (_, i) => decay ** i);
  const w = Float64Array.from(Float32Array.from(matrixWithSpectrum(n, n, sigma, new Rng(seed))));
  const W = Tensor.fromArray(gpu, w, [n, n]);
  const exact = () => truncatedSvd(W, rank, { method: 'exact' });
  const rand = () => randomizedSvd(W, rank, { niter, oversample, rng: new Rng(seed + 1) });
  const timed = async (f: () => Promise<GpuSvd>) => {
    const t0 = performance.now();
    const s = await f();
    const ms = performance.now() - t0;
    return { ms, s };
  };
  try {
    // Optimum from the f64 SVD of the same (f32-rounded) matrix.
    const full = svdJacobi(w, n, n).S;
    let opt = 0;
    for (let i = rank; i < n; i++) opt += full[i] ** 2;
    opt = Math.sqrt(opt);
    // Warm-up (pipelines compile, pools fill) and accuracy.
    const we = await timed(exact);
    const wr = await timed(rand);
    const jacobiErrorRatio = (await truncationError(w, n, we.s)) / opt;
    const rsvdErrorRatio = (await truncationError(w, n, wr.s)) / opt;
    for (const s of [we.s, wr.s]) {
      s.U.dispose();
      s.V.dispose();
    }
    const jacobiMs: number[] = [];
    const rsvdMs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const order: Array<'j' | 'r'> = r % 2 === 0 ? ['j', 'r'] : ['r', 'j'];
      for (const which of order) {
        const { ms, s } = await timed(which === 'j' ? exact : rand);
        s.U.dispose();
        s.V.dispose();
        (which === 'j' ? jacobiMs : rsvdMs).push(ms);
      }
      log?.(`round ${r + 1}: jacobi ${jacobiMs[r].toFixed(1)} ms, rsvd ${rsvdMs[r].toFixed(1)} ms`);
    }
    return {
      n,
      rank,
      niter,
      jacobiMs,
      rsvdMs,
      jacobiMedianMs: median(jacobiMs),
      rsvdMedianMs: median(rsvdMs),
      speedup: median(jacobiMs.map((j, i) => j / rsvdMs[i])),
      jacobiErrorRatio,
      rsvdErrorRatio,
      timing:
        'wall clock of each whole call (readbacks included), warm-up first, alternating order per round',
    };
  } finally {
    W.dispose();
  }
}
