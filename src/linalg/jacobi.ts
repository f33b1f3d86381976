/**
 * Small dense SVD in float64 on the CPU: one-sided (Hestenes) Jacobi.
 *
 * The columns of a working copy of A are rotated pairwise until they are mutually orthogonal; the
 * accumulated rotations form V, the column norms are the singular values and the normalised columns
 * are U. Accurate (relative accuracy in the small singular values too) and simple; cost is
 * O(mn² + sweeps · n³), fine for the sizes used on the CPU here (≤ a few hundred): A is first
 * reduced by Householder QR and Jacobi runs on Rᵀ (see svdViaQr).
 *
 * Output is deterministic: singular values sorted descending (ties keep column order), each pair
 * (u_i, v_i) has its sign fixed so that the largest-magnitude entry of u_i (first one on a tie) is
 * positive, and columns for (numerically) zero singular values are completed to an orthonormal
 * basis deterministically, so UᵀU = I and VᵀV = I always hold.
 */
import { qrCpu } from './qr';

export interface SvdResult {
  /** m × k, row-major; column i is the i-th left singular vector. */
  U: Float64Array;
  /** k singular values, descending. */
  S: Float64Array;
  /** n × k, row-major; column i is the i-th right singular vector. */
  V: Float64Array;
  /** Number of singular triplets returned. */
  k: number;
}

const EPS = Number.EPSILON;
const MAX_SWEEPS = 80;

function checkShape(a: Float64Array, m: number, n: number): void {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1)
    throw new Error(`svdJacobi: shape must be positive integers, got ${m} × ${n}`);
  if (a.length !== m * n)
    throw new Error(`svdJacobi: expected ${m}×${n} = ${m * n} entries, got ${a.length}`);
  for (let i = 0; i < a.length; i++)
    if (!Number.isFinite(a[i])) throw new Error(`svdJacobi: entry ${i} is not finite (${a[i]})`);
}

/**
 * Full thin SVD of a row-major m × n matrix: A = U·diag(S)·Vᵀ with k = min(m, n).
 * Works for any m, n (wide matrices are handled through the transpose).
 */
export function svdJacobi(a: Float64Array, m: number, n: number): SvdResult {
  checkShape(a, m, n);
  if (m >= n) return svdViaQr(a, m, n);
  // Aᵀ = U' S V'ᵀ  ⇒  A = V' S U'ᵀ.
  const at = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j];
  const r = svdViaQr(at, n, m);
  // Re-normalise signs on the new U (= old V) so the rule refers to U whatever the orientation.
  const out = { U: r.V, S: r.S, V: r.U, k: r.k };
  normaliseSigns(out.U, m, out.V, n, out.k);
  return out;
}

/** The top r singular triplets (r ≤ min(m, n)): U m×r, S r, V n×r. */
export function truncatedSvdCpu(a: Float64Array, m: number, n: number, r: number): SvdResult {
  const k = Math.min(m, n);
  if (!Number.isInteger(r) || r < 0 || r > k)
    throw new Error(`truncatedSvdCpu: rank must be an integer in [0, ${k}] for ${m}×${n}, got ${r}`);
  const full = svdJacobi(a, m, n);
  if (r === k) return full;
  return {
    U: takeColumns(full.U, m, k, r),
    S: full.S.slice(0, r),
    V: takeColumns(full.V, n, k, r),
    k: r,
  };
}

/** Reconstruct U·diag(S)·Vᵀ (m × n, row-major) — handy for tests and callers. */
export function svdReconstruct(svd: SvdResult, m: number, n: number): Float64Array {
  const { U, S, V, k } = svd;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++) {
      const us = U[i * k + t] * S[t];
      if (us === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += us * V[j * k + t];
    }
  return out;
}

export function takeColumns(x: Float64Array, rows: number, cols: number, r: number): Float64Array {
  const out = new Float64Array(rows * r);
  for (let i = 0; i < rows; i++) for (let j = 0; j < r; j++) out[i * r + j] = x[i * cols + j];
  return out;
}

/**
 * QR-preconditioned one-sided Jacobi (Drmač & Veselić 2008, without pivoting): A = Q·R by Householder,
 * then Jacobi on Rᵀ = U'·S·V'ᵀ, so R = V'·S·U'ᵀ and A = (Q·V')·S·U'ᵀ. Jacobi then rotates n-vectors
 * instead of m-vectors, and on Rᵀ it needs far fewer sweeps (measured for 512×512 with σᵢ = 0.97ⁱ:
 * 8 sweeps instead of 28; 256×256 Gaussian: 10 instead of 12).
 */
function svdViaQr(a: Float64Array, m: number, n: number): SvdResult {
  const { Q, R } = qrCpu(a, m, n);
  const rt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) rt[j * n + i] = R[i * n + j];
  const inner = svdTall(rt, n, n);
  const U = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < n; p++) {
      const q = Q[i * n + p];
      if (q === 0) continue;
      for (let t = 0; t < n; t++) U[i * n + t] += q * inner.V[p * n + t];
    }
  const V = inner.U;
  normaliseSigns(U, m, V, n, n);
  return { U, S: inner.S, V, k: n };
}

/** One-sided Jacobi for m ≥ n. */
function svdTall(a: Float64Array, m: number, n: number): SvdResult {
  // Column-major working copy: column j at w[j*m .. j*m+m).
  const w = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * m + i] = a[i * n + j];
  // V column-major as well (n × n), starts as the identity.
  const v = new Float64Array(n * n);
  for (let j = 0; j < n; j++) v[j * n + j] = 1;

  const tol = EPS * Math.max(m, 1);
  // Squared column norms, recomputed exactly every sweep and updated analytically after each
  // rotation in between (‖a_p'‖² = α − tγ, ‖a_q'‖² = β + tγ), as LAPACK's xGESVJ does.
  const nrm2 = new Float64Array(n);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = j * m, e = i + m; i < e; i++) s += w[i] * w[i];
      nrm2[j] = s;
    }
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const op = p * m;
      for (let q = p + 1; q < n; q++) {
        const oq = q * m;
        const alpha = nrm2[p];
        const beta = nrm2[q];
        let gamma = 0;
        for (let i = 0; i < m; i++) gamma += w[op + i] * w[oq + i];
        if (gamma === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = w[op + i];
          const y = w[oq + i];
          w[op + i] = c * x - s * y;
          w[oq + i] = s * x + c * y;
        }
        nrm2[p] = Math.max(alpha - t * gamma, 0);
        nrm2[q] = beta + t * gamma;
        const vp = p * n;
        const vq = q * n;
        for (let i = 0; i < n; i++) {
          const x = v[vp + i];
          const y = v[vq + i];
          v[vp + i] = c * x - s * y;
          v[vq + i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }

  // Singular values = column norms; sort descending (stable on ties).
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += w[j * m + i] ** 2;
    norms[j] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => norms[y] - norms[x] || x - y);
  const k = n;
  const U = new Float64Array(m * k);
  const S = new Float64Array(k);
  const V = new Float64Array(n * k);
  const smax = norms[order[0]];
  // Below this a column's direction is noise: replace it by an orthonormal completion.
  const tiny = smax * EPS * Math.max(m, n) * 4;
  const deficient: number[] = [];
  for (let t = 0; t < k; t++) {
    const j = order[t];
    const sigma = norms[j];
    S[t] = sigma;
    for (let i = 0; i < n; i++) V[i * k + t] = v[j * n + i];
    if (sigma > tiny && sigma > 0) {
      for (let i = 0; i < m; i++) U[i * k + t] = w[j * m + i] / sigma;
    } else {
      deficient.push(t);
    }
  }
  if (deficient.length > 0) completeBasis(U, m, k, deficient);
  normaliseSigns(U, m, V, n, k);
  return { U, S, V, k };
}

/**
 * Fill the listed columns of U (m × k, row-major) with unit vectors orthogonal to every other
 * column: for each, the standard basis vector with the largest residual after two rounds of
 * Gram–Schmidt against the columns already set.
 */
function completeBasis(U: Float64Array, m: number, k: number, cols: number[]): void {
  const missing = new Set(cols);
  const filled: number[] = [];
  for (let t = 0; t < k; t++) if (!missing.has(t)) filled.push(t);
  const r = new Float64Array(m);
  for (const t of cols) {
    let best = -1;
    let bestNorm = -1;
    let bestVec: Float64Array | null = null;
    for (let e = 0; e < m; e++) {
      r.fill(0);
      r[e] = 1;
      for (let pass = 0; pass < 2; pass++)
        for (const f of filled) {
          let d = 0;
          for (let i = 0; i < m; i++) d += U[i * k + f] * r[i];
          for (let i = 0; i < m; i++) r[i] -= d * U[i * k + f];
        }
      let nrm = 0;
      for (let i = 0; i < m; i++) nrm += r[i] * r[i];
      if (nrm > bestNorm + 1e-12) {
        bestNorm = nrm;
        best = e;
        bestVec = r.slice();
      }
    }
    if (best < 0 || bestVec === null) throw new Error('svdJacobi: basis completion failed');
    const s = Math.sqrt(bestNorm);
    for (let i = 0; i < m; i++) U[i * k + t] = bestVec[i] / s;
    filled.push(t);
  }
}

/** Flip (u_i, v_i) together so that u_i's largest-magnitude entry (first on a tie) is positive. */
export function normaliseSigns(U: Float64Array, m: number, V: Float64Array, n: number, k: number): void {
  for (let t = 0; t < k; t++) {
    let bi = 0;
    let bv = -1;
    for (let i = 0; i < m; i++) {
      const x = Math.abs(U[i * k + t]);
      // A small margin makes the pick robust to last-bit differences between near-equal entries.
      if (x > bv * (1 + 1e-9)) {
        bv = x;
        bi = i;
      }
    }
    if (U[bi * k + t] < 0) {
      for (let i = 0; i < m; i++) U[i * k + t] = -U[i * k + t];
      for (let i = 0; i < n; i++) V[i * k + t] = -V[i * k + t];
    }
  }
}
