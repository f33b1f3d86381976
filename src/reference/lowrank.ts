/**
 * float64 oracles for the low-rank families (lowrank, orthoproj, fwsvd): a small one-sided Jacobi
 * SVD written for clarity (the test oracle, independent of src/linalg), Eckart–Young truncation,
 * the orthogonal projector onto the top-r right singular subspace, and the FWSVD weighted
 * truncation Ŵ = trunc_r(W·D)·D⁻¹ (ALGORITHMS.md §1, §4). Matrices are row-major Float64Arrays.
 */
import { frobenius, matmul64 } from './dense';

export interface RefSvd {
  /** m × k, orthonormal columns (k = min(m, n)). */
  U: Float64Array;
  /** k singular values, descending. */
  S: Float64Array;
  /** n × k, orthonormal columns: A = U·diag(S)·Vᵀ. */
  V: Float64Array;
  m: number;
  n: number;
  k: number;
}

/** One-sided Jacobi SVD of the m × n matrix a (row-major), full thin factorisation. */
export function svd(a: ArrayLike<number>, m: number, n: number): RefSvd {
  if (m < n) {
    // A = U S Vᵀ  ⇔  Aᵀ = V S Uᵀ
    const t = svd(transposeRaw(a, m, n), n, m);
    return { U: t.V, S: t.S, V: t.U, m, n, k: t.k };
  }
  // m ≥ n: orthogonalise the n columns of G = A·V by plane rotations, accumulating V.
  const G = Float64Array.from(a as ArrayLike<number>);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = G[i * n + p];
          const y = G[i * n + q];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = G[i * n + p];
          const y = G[i * n + q];
          G[i * n + p] = c * x - s * y;
          G[i * n + q] = s * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = V[i * n + p];
          const y = V[i * n + q];
          V[i * n + p] = c * x - s * y;
          V[i * n + q] = s * x + c * y;
        }
      }
    if (!rotated) break;
  }
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += G[i * n + j] ** 2;
    norms[j] = Math.sqrt(s);
  }
  const order = [...norms.keys()].sort((x, y) => norms[y] - norms[x]);
  const U = new Float64Array(m * n);
  const S = new Float64Array(n);
  const Vs = new Float64Array(n * n);
  order.forEach((j, c) => {
    S[c] = norms[j];
    for (let i = 0; i < n; i++) Vs[i * n + c] = V[i * n + j];
    if (norms[j] > 0) for (let i = 0; i < m; i++) U[i * n + c] = G[i * n + j] / norms[j];
  });
  completeColumns(U, m, n, S);
  return { U, S, V: Vs, m, n, k: n };
}

/** Replace the columns of U with zero singular value by an orthonormal completion (Gram–Schmidt). */
function completeColumns(U: Float64Array, m: number, k: number, S: Float64Array): void {
  const tol = (S[0] || 1) * 1e-13;
  for (let c = 0; c < k; c++) {
    if (S[c] > tol) continue;
    for (let e = 0; e < m; e++) {
      const v = new Float64Array(m);
      v[e] = 1;
      for (let d = 0; d < k; d++) {
        if (d === c || (d > c && S[d] <= tol)) continue;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += U[i * k + d] * v[i];
        for (let i = 0; i < m; i++) v[i] -= dot * U[i * k + d];
      }
      const nv = Math.hypot(...v);
      if (nv > 0.5) {
        for (let i = 0; i < m; i++) U[i * k + c] = v[i] / nv;
        break;
      }
    }
  }
}

export function transposeRaw(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

/** C (m × n) = A (m × k) · B (k × n), all row-major (matmul64 with the sizes spelled once). */
export function mm(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
): Float64Array {
  return matmul64(a, m, k, b, k, n);
}

export const fro = frobenius;

export function sub(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const c = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) c[i] = a[i] - b[i];
  return c;
}

/** ‖a − b‖_F / ‖b‖_F (b the reference). */
export function relFro(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return fro(sub(a, b)) / (fro(b) || 1);
}

/** Rank-r factors W ≈ B·A, B = U_r·√Σ_r (m × r), A = √Σ_r·V_rᵀ (r × n) (LoRA layout). */
export function lowRankFactors(
  w: ArrayLike<number>,
  m: number,
  n: number,
  r: number,
): { B: Float64Array; A: Float64Array; svd: RefSvd } {
  const d = svd(w, m, n);
  const B = new Float64Array(m * r);
  const A = new Float64Array(r * n);
  for (let c = 0; c < r; c++) {
    const s = Math.sqrt(d.S[c]);
    for (let i = 0; i < m; i++) B[i * r + c] = d.U[i * d.k + c] * s;
    for (let j = 0; j < n; j++) A[c * n + j] = d.V[j * d.k + c] * s;
  }
  return { B, A, svd: d };
}

/** The Eckart–Young best rank-r approximation U_r Σ_r V_rᵀ (m × n). */
export function truncatedSvd(w: ArrayLike<number>, m: number, n: number, r: number): Float64Array {
  const { B, A } = lowRankFactors(w, m, n, r);
  return mm(B, A, m, r, n);
}

/** Eckart–Young optimum: ‖W − W_r‖_F = √(Σ_{i ≥ r} σ_i²). */
export function eckartYoungError(S: ArrayLike<number>, r: number): number {
  let s = 0;
  for (let i = r; i < S.length; i++) s += S[i] * S[i];
  return Math.sqrt(s);
}

/** V_r (n × r): the top-r right singular vectors of W (m × n). */
export function topRightSingular(w: ArrayLike<number>, m: number, n: number, r: number): Float64Array {
  const d = svd(w, m, n);
  const Vr = new Float64Array(n * r);
  for (let j = 0; j < n; j++) for (let c = 0; c < r; c++) Vr[j * r + c] = d.V[j * d.k + c];
  return Vr;
}

/** P = V_r·V_rᵀ (n × n). */
export function projector(vr: ArrayLike<number>, n: number, r: number): Float64Array {
  return mm(vr, transposeRaw(vr, n, r), n, r, n);
}

/** The FWSVD column weights d_j = √(importance_j / max + 1e-5) (all equal when max = 0). */
export function fwsvdWeights(importance: ArrayLike<number> | undefined, n: number): Float64Array {
  const d = new Float64Array(n);
  let max = 0;
  if (importance) for (let j = 0; j < n; j++) max = Math.max(max, importance[j]);
  for (let j = 0; j < n; j++) d[j] = Math.sqrt((importance && max > 0 ? importance[j] / max : 1) + 1e-5);
  return d;
}

/** Scale column j of the m × n matrix by s_j. */
export function scaleColumns(w: ArrayLike<number>, m: number, n: number, s: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = w[i * n + j] * s[j];
  return out;
}

/** FWSVD: Ŵ = trunc_r(W·D)·D⁻¹ with D = diag(fwsvdWeights(importance)). */
export function fwsvd(
  w: ArrayLike<number>,
  m: number,
  n: number,
  r: number,
  importance?: ArrayLike<number>,
): Float64Array {
  const d = fwsvdWeights(importance, n);
  const t = truncatedSvd(scaleColumns(w, m, n, d), m, n, r);
  return scaleColumns(
    t,
    m,
    n,
    d.map((v) => 1 / v),
  );
}

/** The FWSVD objective ‖(W − Ŵ)·D‖_F. */
export function weightedError(
  w: ArrayLike<number>,
  wHat: ArrayLike<number>,
  m: number,
  n: number,
  importance?: ArrayLike<number>,
): number {
  return fro(scaleColumns(sub(w, wHat), m, n, fwsvdWeights(importance, n)));
}

/** A test matrix with a chosen spectrum: U·diag(s)·Vᵀ with random orthonormal U, V (Gram–Schmidt). */
export function withSpectrum(m: number, n: number, s: ArrayLike<number>, normal: () => number): Float64Array {
  const k = Math.min(m, n);
  const U = orthonormal(m, k, normal);
  const V = orthonormal(n, k, normal);
  const US = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) US[i * k + c] = U[i * k + c] * (s[c] ?? 0);
  return mm(US, transposeRaw(V, n, k), m, k, n);
}

/** m × k with orthonormal columns from Gaussian draws (modified Gram–Schmidt, twice). */
export function orthonormal(m: number, k: number, normal: () => number): Float64Array {
  const Q = new Float64Array(m * k);
  for (let i = 0; i < m * k; i++) Q[i] = normal();
  for (let c = 0; c < k; c++)
    for (let pass = 0; pass < 2; pass++) {
      for (let d = 0; d < c; d++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += Q[i * k + c] * Q[i * k + d];
        for (let i = 0; i < m; i++) Q[i * k + c] -= dot * Q[i * k + d];
      }
      let nv = 0;
      for (let i = 0; i < m; i++) nv += Q[i * k + c] ** 2;
      nv = Math.sqrt(nv);
      for (let i = 0; i < m; i++) Q[i * k + c] /= nv;
    }
  return Q;
}
