/**
 * float64 oracle helpers for src/linalg. Written to be independent of the algorithms they check:
 * eigenvalues come from Householder tridiagonalisation + Sturm-sequence bisection (no Jacobi), and the
 * matrix helpers are plain loops. Row-major arrays with explicit sizes.
 */
import { frobenius, matmul64 } from './dense';

export { frobenius, matmul64 };

export function transpose64(a: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
  return out;
}

/** max |A − B| */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** max |XᵀX − I| for row-major X (rows × cols). */
export function orthonormalityError(x: ArrayLike<number>, rows: number, cols: number): number {
  let worst = 0;
  for (let p = 0; p < cols; p++)
    for (let q = p; q < cols; q++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += x[i * cols + p] * x[i * cols + q];
      worst = Math.max(worst, Math.abs(s - (p === q ? 1 : 0)));
    }
  return worst;
}

/** Gaussian-free deterministic test matrix helper: A = U·diag(s)·Vᵀ (U m×k, V n×k row-major). */
export function fromFactors(
  U: Float64Array,
  s: ArrayLike<number>,
  V: Float64Array,
  m: number,
  n: number,
  k: number,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < k; t++) {
      const us = U[i * k + t] * s[t];
      for (let j = 0; j < n; j++) out[i * n + j] += us * V[j * k + t];
    }
  return out;
}

/**
 * Orthonormal basis (n × k, row-major) of the columns of a row-major n × k matrix by modified
 * Gram–Schmidt applied twice. Throws if the columns are (numerically) dependent.
 */
export function gramSchmidt(x: Float64Array, n: number, k: number): Float64Array {
  const q = x.slice();
  for (let j = 0; j < k; j++) {
    for (let pass = 0; pass < 2; pass++)
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i * k + p] * q[i * k + j];
        for (let i = 0; i < n; i++) q[i * k + j] -= d * q[i * k + p];
      }
    let nrm = 0;
    for (let i = 0; i < n; i++) nrm += q[i * k + j] ** 2;
    nrm = Math.sqrt(nrm);
    if (nrm < 1e-10) throw new Error('gramSchmidt: dependent columns');
    for (let i = 0; i < n; i++) q[i * k + j] /= nrm;
  }
  return q;
}

/**
 * Eigenvalues of a symmetric n × n matrix, descending: Householder reduction to tridiagonal form,
 * then bisection with Sturm counts for each eigenvalue (absolute accuracy ≈ 1e-15·‖A‖).
 */
export function symEigenvaluesBisect(a: Float64Array, n: number): Float64Array {
  const { d, e } = tridiagonalize(a, n);
  // Gershgorin bounds of the tridiagonal matrix.
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const r = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0);
    lo = Math.min(lo, d[i] - r);
    hi = Math.max(hi, d[i] + r);
  }
  const span = Math.max(hi - lo, 1e-300);
  lo -= span * 1e-12;
  hi += span * 1e-12;
  const out = new Float64Array(n);
  // k-th largest eigenvalue = the x where count(< x) crosses n - k.
  for (let k = 0; k < n; k++) {
    const target = n - k; // want smallest x with count(λ < x) >= target ... bisect
    let a0 = lo;
    let b0 = hi;
    for (let it = 0; it < 200; it++) {
      const mid = 0.5 * (a0 + b0);
      if (mid === a0 || mid === b0) break;
      if (sturmCount(d, e, n, mid) >= target) b0 = mid;
      else a0 = mid;
    }
    out[k] = 0.5 * (a0 + b0);
  }
  return out;
}

/** Number of eigenvalues of the tridiagonal (d, e) strictly below x. */
function sturmCount(d: Float64Array, e: Float64Array, n: number, x: number): number {
  let count = 0;
  let q = 1;
  for (let i = 0; i < n; i++) {
    const e2 = i > 0 ? e[i - 1] * e[i - 1] : 0;
    q = d[i] - x - (i > 0 ? e2 / q : 0);
    if (q === 0) q = -1e-300;
    if (q < 0) count++;
  }
  return count;
}

/** Householder tridiagonalisation: returns diagonal d (n) and off-diagonal e (n-1). */
function tridiagonalize(a0: Float64Array, n: number): { d: Float64Array; e: Float64Array } {
  const a = a0.slice();
  for (let k = 0; k < n - 2; k++) {
    let alpha = 0;
    for (let i = k + 1; i < n; i++) alpha += a[i * n + k] ** 2;
    alpha = Math.sqrt(alpha);
    if (alpha === 0) continue;
    if (a[(k + 1) * n + k] > 0) alpha = -alpha;
    const v = new Float64Array(n);
    v[k + 1] = a[(k + 1) * n + k] - alpha;
    for (let i = k + 2; i < n; i++) v[i] = a[i * n + k];
    let vn = 0;
    for (let i = k + 1; i < n; i++) vn += v[i] * v[i];
    if (vn === 0) continue;
    // A ← H A H with H = I − 2 v vᵀ / vᵀv.
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i * n + j] * v[j];
      p[i] = (2 * s) / vn;
    }
    let kk = 0;
    for (let i = k + 1; i < n; i++) kk += v[i] * p[i];
    kk /= vn;
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = p[i] - kk * v[i];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] -= v[i] * w[j] + w[i] * v[j];
  }
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
  for (let i = 0; i < n - 1; i++) e[i] = a[(i + 1) * n + i];
  return { d, e };
}

/** X = A⁻¹·B for a square n × n A and n × p B (Gaussian elimination with partial pivoting). */
export function solve64(a: Float64Array, n: number, b: Float64Array, p: number): Float64Array {
  const m = a.slice();
  const x = b.slice();
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(m[i * n + c]) > Math.abs(m[piv * n + c])) piv = i;
    if (m[piv * n + c] === 0) throw new Error('solve64: singular matrix');
    if (piv !== c) {
      for (let j = 0; j < n; j++) [m[c * n + j], m[piv * n + j]] = [m[piv * n + j], m[c * n + j]];
      for (let j = 0; j < p; j++) [x[c * p + j], x[piv * p + j]] = [x[piv * p + j], x[c * p + j]];
    }
    for (let i = c + 1; i < n; i++) {
      const f = m[i * n + c] / m[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) m[i * n + j] -= f * m[c * n + j];
      for (let j = 0; j < p; j++) x[i * p + j] -= f * x[c * p + j];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    for (let j = 0; j < p; j++) {
      let s = x[c * p + j];
      for (let k = c + 1; k < n; k++) s -= m[c * n + k] * x[k * p + j];
      x[c * p + j] = s / m[c * n + c];
    }
  }
  return x;
}

/** Nyström oracle Â = Y·(ΩᵀY)⁻¹·Yᵀ with Y = A·Ω (A n × n, Ω n × l, ΩᵀAΩ invertible). */
export function nystromRef(a: Float64Array, n: number, omega: Float64Array, l: number): Float64Array {
  const y = matmul64(a, n, n, omega, n, l);
  const core = matmul64(omega, n, l, y, n, l, true);
  const z = solve64(core, l, transpose64(y, n, l), n); // l × n
  return matmul64(y, n, l, z, l, n);
}
