/**
 * Nyström approximation of a symmetric positive semi-definite matrix A [n, n] on the GPU:
 *
 *   Y = A·Ω [n, l],  C = Ωᵀ·Y = ΩᵀAΩ [l, l],  Â = Y·C⁺·Yᵀ.
 *
 * Ω is a seeded Gaussian sketch (drawn as rng.normals(n·l), row-major [n, l]) or a seeded uniform
 * choice of l distinct columns (Ω = the matching columns of the identity, so Y = A[:, S] and
 * C = A[S, S]). The pseudo-inverse is taken through the f64 eigendecomposition of C, dropping
 * eigenvalues ≤ relTol·λ_max (f32 noise; default 1e-5): F = Y·V₊·Λ₊^{-1/2}, Â = F·Fᵀ. The result
 * comes back in eigen form Â = U·diag(S)·Uᵀ (U orthonormal [n, r], S descending) from the f64 SVD of F.
 * When l ≥ rank(A) (and Ω is generic) Â = A exactly, up to f32 rounding; in general A − Â is PSD.
 */
import { ShapeError } from '../gpu/errors';
import { matmul } from '../tensor/ops';
import type { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { eigh } from './eigh';
import { svdJacobi } from './jacobi';

export type NystromSketch = 'gaussian' | 'columns';

export interface NystromOptions {
  rng: Rng;
  /** Default 'gaussian'. */
  sketch?: NystromSketch;
  /** Keep at most this many eigenpairs of Â (default: all that survive relTol). */
  rank?: number;
  /** Core eigenvalues ≤ relTol·λ_max are treated as zero (default 1e-5). */
  relTol?: number;
}

export interface NystromResult {
  /** [n, r] orthonormal eigenvectors of Â (f32). Caller disposes. */
  U: Tensor;
  /** r eigenvalues of Â, descending (f64). */
  S: Float64Array;
  /** r, the numerical rank kept. 0 only when AΩ vanishes: U is then one zero column and S = [0]. */
  rank: number;
  /** The sampled column indices (ascending) for sketch 'columns'. */
  columns?: number[];
}

/** l distinct indices of [0, n), uniformly, ascending (partial Fisher–Yates). */
export function sampleColumns(n: number, l: number, rng: Rng): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < l; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, l).sort((a, b) => a - b);
}

export async function nystrom(A: Tensor, sketchSize: number, opts: NystromOptions): Promise<NystromResult> {
  const { rng, sketch = 'gaussian', rank, relTol = 1e-5 } = opts;
  if (A.rank !== 2 || A.shape[0] !== A.shape[1])
    throw new ShapeError(`nystrom needs a square [n, n] matrix, got [${A.shape.join(', ')}]`);
  const n = A.shape[0];
  if (!Number.isInteger(sketchSize) || sketchSize < 1 || sketchSize > n)
    throw new ShapeError(`nystrom: sketch size must be an integer in [1, ${n}], got ${sketchSize}`);
  if (!rng) throw new Error('nystrom needs opts.rng (a seeded Rng) so results are reproducible');
  if (rank !== undefined && (!Number.isInteger(rank) || rank < 1))
    throw new Error(`nystrom: rank must be a positive integer, got ${rank}`);
  const l = sketchSize;
  const gpu = A.gpu;

  let omega: Float64Array;
  let columns: number[] | undefined;
  if (sketch === 'gaussian') {
    omega = rng.normals(n * l);
  } else if (sketch === 'columns') {
    columns = sampleColumns(n, l, rng);
    omega = new Float64Array(n * l);
    columns.forEach((c, j) => {
      omega[c * l + j] = 1;
    });
  } else {
    throw new Error(`nystrom: unknown sketch '${sketch as string}' (use 'gaussian' or 'columns')`);
  }

  const om = Tensor.fromArray(gpu, omega, [n, l]);
  let y: Tensor | null = null;
  let f: Tensor | null = null;
  try {
    y = matmul(A, om); // [n, l]
    const ct = matmul(om, y, { transA: true }); // [l, l]
    let c32: Float32Array;
    try {
      c32 = await ct.read();
    } finally {
      ct.dispose();
    }
    const c = Float64Array.from(c32);
    let cmax = 0;
    let asym = 0;
    for (let i = 0; i < l; i++)
      for (let j = 0; j < l; j++) {
        cmax = Math.max(cmax, Math.abs(c[i * l + j]));
        asym = Math.max(asym, Math.abs(c[i * l + j] - c[j * l + i]));
      }
    if (asym > 1e-3 * cmax)
      throw new Error(
        `nystrom: ΩᵀAΩ is not symmetric (max asymmetry ${asym.toExponential(2)} vs max ${cmax.toExponential(2)}); A must be symmetric PSD`,
      );
    const { values, vectors } = eigh(c, l, { symmetryTol: Number.POSITIVE_INFINITY });
    const lmax = values[0];
    let keep = 0;
    while (keep < l && lmax > 0 && values[keep] > relTol * lmax) keep++;
    if (keep === 0) {
      return {
        U: Tensor.zeros(gpu, [n, 1]),
        S: new Float64Array(1),
        rank: 0,
        ...(columns ? { columns } : {}),
      };
    }
    // M = V₊·Λ₊^{-1/2}  [l, keep]
    const mInv = new Float64Array(l * keep);
    for (let i = 0; i < l; i++)
      for (let j = 0; j < keep; j++) mInv[i * keep + j] = vectors[i * l + j] / Math.sqrt(values[j]);
    const mt = Tensor.fromArray(gpu, mInv, [l, keep]);
    try {
      f = matmul(y, mt); // [n, keep]
    } finally {
      mt.dispose();
    }
    const fh = Float64Array.from(await f.read());
    const svd = svdJacobi(fh, n, keep); // k = keep (keep ≤ l ≤ n)
    let r = svd.k;
    while (r > 0 && svd.S[r - 1] <= 0) r--;
    if (rank !== undefined) r = Math.min(r, rank);
    r = Math.max(r, 1);
    const U = new Float64Array(n * r);
    for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) U[i * r + j] = svd.U[i * svd.k + j];
    const S = new Float64Array(r);
    for (let j = 0; j < r; j++) S[j] = svd.S[j] ** 2;
    return { U: Tensor.fromArray(gpu, U, [n, r]), S, rank: r, ...(columns ? { columns } : {}) };
  } finally {
    om.dispose();
    y?.dispose();
    f?.dispose();
  }
}
