/**
 * Truncated SVD of a GPU matrix W [m, n] (ALGORITHMS.md §1).
 *
 * `randomizedSvd` — Halko, Martinsson & Tropp (2011), as torch.svd_lowrank but seeded:
 *   Ω ~ N(0, 1) [n, l] drawn from `rng` (l = rank + oversample, capped at min(m, n)),
 *   Q = orth(W·Ω); niter times { Q = orth(Wᵀ·Q); Q = orth(W·Q) };
 *   B = Qᵀ·W [l, n] read back, small SVD B = Ũ·S·Vᵀ by one-sided Jacobi in f64,
 *   U = Q·Ũ_r on the GPU. GEMMs run on the GPU (f32), orth() is `qrGpu` (shifted CholeskyQR3 with a
 *   Householder fallback). Same seed → same factors, bit for bit, on the same device and build.
 *
 * `truncatedSvd` — picks exact (read W back, Jacobi SVD in f64) or randomized.
 */
import { ShapeError } from '../gpu/errors';
import { matmul } from '../tensor/ops';
import type { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { svdJacobi, takeColumns } from './jacobi';
import { qrGpu } from './qr';

export interface GpuSvd {
  /** [m, r] left singular vectors (f32, orthonormal columns). Caller disposes. */
  U: Tensor;
  /** r singular values, descending (f64). */
  S: Float64Array;
  /** [n, r] right singular vectors. Caller disposes. */
  V: Tensor;
}

export interface RandomizedSvdOptions {
  /** Extra sketch columns p (default 10). */
  oversample?: number;
  /** Power (subspace) iterations (default 2). */
  niter?: number;
  /** Source of Ω; required so every run is reproducible. */
  rng: Rng;
}

function checkMatrix(w: Tensor, rank: number, what: string): [number, number] {
  if (w.rank !== 2) throw new ShapeError(`${what} takes a 2-D tensor, got shape [${w.shape.join(', ')}]`);
  const [m, n] = w.shape;
  const k = Math.min(m, n);
  if (!Number.isInteger(rank) || rank < 1 || rank > k)
    throw new ShapeError(
      `${what}: rank must be an integer in [1, ${k}] for a [${m}, ${n}] matrix, got ${rank}`,
    );
  return [m, n];
}

/** Q = orth(X), disposing X. */
async function orth(x: Tensor): Promise<Tensor> {
  try {
    const { Q } = await qrGpu(x);
    return Q;
  } finally {
    x.dispose();
  }
}

export async function randomizedSvd(W: Tensor, rank: number, opts: RandomizedSvdOptions): Promise<GpuSvd> {
  const [m, n] = checkMatrix(W, rank, 'randomizedSvd');
  const { oversample = 10, niter = 2, rng } = opts;
  if (!rng) throw new Error('randomizedSvd needs opts.rng (a seeded Rng) so results are reproducible');
  if (!Number.isInteger(oversample) || oversample < 0)
    throw new Error(`randomizedSvd: oversample must be a non-negative integer, got ${oversample}`);
  if (!Number.isInteger(niter) || niter < 0)
    throw new Error(`randomizedSvd: niter must be a non-negative integer, got ${niter}`);
  const gpu = W.gpu;
  const l = Math.min(rank + oversample, m, n);

  const omega = Tensor.randn(gpu, [n, l], rng);
  let q: Tensor;
  try {
    q = await orth(matmul(W, omega));
  } finally {
    omega.dispose();
  }
  try {
    for (let it = 0; it < niter; it++) {
      const z = await orth(matmul(W, q, { transA: true })); // [n, l]
      q.dispose();
      try {
        q = await orth(matmul(W, z)); // [m, l]
      } finally {
        z.dispose();
      }
    }
    // B = Qᵀ·W  [l, n], small SVD on the CPU in f64.
    const bT = matmul(q, W, { transA: true });
    let b: Float32Array;
    try {
      b = await bT.read();
    } finally {
      bT.dispose();
    }
    const small = svdJacobi(Float64Array.from(b), l, n); // k = l (l ≤ n)
    const uSmall = takeColumns(small.U, l, small.k, rank); // [l, rank]
    const vr = takeColumns(small.V, n, small.k, rank); // [n, rank]
    const ut = Tensor.fromArray(gpu, uSmall, [l, rank]);
    let U: Tensor;
    try {
      U = matmul(q, ut);
    } finally {
      ut.dispose();
    }
    return { U, S: small.S.slice(0, rank), V: Tensor.fromArray(gpu, vr, [n, rank]) };
  } finally {
    q.dispose();
  }
}

export type SvdMethod = 'auto' | 'exact' | 'randomized';

export interface TruncatedSvdOptions {
  /** 'exact' = Jacobi SVD of W read back (f64); 'auto' = exact when min(m, n) ≤ 256, else randomized. */
  method?: SvdMethod;
  oversample?: number;
  niter?: number;
  /** Needed for 'randomized' (and 'auto' on large matrices). */
  rng?: Rng;
}

/** Largest min(m, n) for which 'auto' uses the exact Jacobi SVD. */
export const AUTO_EXACT_MAX = 256;

export async function truncatedSvd(
  W: Tensor,
  rank: number,
  opts: TruncatedSvdOptions = {},
): Promise<GpuSvd & { method: 'exact' | 'randomized' }> {
  const [m, n] = checkMatrix(W, rank, 'truncatedSvd');
  const { method = 'auto', oversample, niter, rng } = opts;
  const exact = method === 'exact' || (method === 'auto' && Math.min(m, n) <= AUTO_EXACT_MAX);
  if (!exact) {
    if (!rng)
      throw new Error(
        `truncatedSvd: the randomized method (chosen for a [${m}, ${n}] matrix) needs opts.rng (a seeded Rng)`,
      );
    const r = await randomizedSvd(W, rank, { oversample, niter, rng });
    return { ...r, method: 'randomized' };
  }
  const host = Float64Array.from(await W.read());
  const full = svdJacobi(host, m, n);
  const k = full.k;
  return {
    U: Tensor.fromArray(W.gpu, takeColumns(full.U, m, k, rank), [m, rank]),
    S: full.S.slice(0, rank),
    V: Tensor.fromArray(W.gpu, takeColumns(full.V, n, k, rank), [n, rank]),
    method: 'exact',
  };
}
