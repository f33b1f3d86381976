/**
 * Random orthogonal matrices (float64, CPU): QR of a Gaussian matrix with column j multiplied by
 * sign(R_jj) (ALGORITHMS.md §4), which makes the distribution uniform (Haar). qrCpu already returns
 * R with a non-negative diagonal, so its Q is exactly that matrix. Every draw comes from `rng`.
 */
import type { Rng } from '../tensor/rng';
import { qrCpu } from './qr';

/** A Haar-random n × n orthogonal matrix, row-major. */
export function randomOrthogonal(n: number, rng: Rng): Float64Array {
  return randomOrthonormal(n, n, rng);
}

/** n × k (k ≤ n) with Haar-random orthonormal columns, row-major: the first k columns of a random orthogonal matrix. */
export function randomOrthonormal(n: number, k: number, rng: Rng): Float64Array {
  if (!Number.isInteger(n) || !Number.isInteger(k) || n < 1 || k < 1 || k > n)
    throw new Error(`randomOrthonormal: need integers 1 ≤ k ≤ n, got n = ${n}, k = ${k}`);
  const g = rng.normals(n * k);
  const { Q, R } = qrCpu(g, n, k);
  // qrCpu normalises R_jj ≥ 0; keep the explicit sign step for clarity should that ever change.
  for (let j = 0; j < k; j++) if (R[j * k + j] < 0) for (let i = 0; i < n; i++) Q[i * k + j] = -Q[i * k + j];
  return Q;
}

/** A = U·diag(sigma)·Vᵀ (m × n, row-major) with Haar-random U, V: a test matrix with a known spectrum. */
export function matrixWithSpectrum(m: number, n: number, sigma: ArrayLike<number>, rng: Rng): Float64Array {
  const k = sigma.length;
  if (k > Math.min(m, n)) throw new Error(`matrixWithSpectrum: ${k} singular values for a ${m}×${n} matrix`);
  const U = randomOrthonormal(m, k, rng);
  const V = randomOrthonormal(n, k, rng);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++) {
      const us = U[i * k + t] * sigma[t];
      for (let j = 0; j < n; j++) out[i * n + j] += us * V[j * k + t];
    }
  return out;
}
