/**
 * float64 oracles for the adapter inits and forwards (ALGORITHMS.md §1). Plain loops; the SVD is
 * ./lowrank's own one-sided Jacobi and the QR a modified Gram–Schmidt written here, so nothing is
 * shared with src/linalg or src/nn. Singular vectors carry a sign ambiguity, so tests compare
 * products (s·B·A, W_res), never single factors. Matrices are row-major Float64Arrays, W out × in.
 */
import { mm, svd } from './lowrank';

/** PiSSA: s·B·A = U_r Σ_r V_rᵀ and W_res = W − U_r Σ_r V_rᵀ (independent of α). */
export function pissaRef(w: ArrayLike<number>, m: number, n: number, r: number) {
  const { U, S, V, k } = svd(w, m, n);
  const update = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < r; p++) acc += U[i * k + p] * S[p] * V[j * k + p];
      update[i * n + j] = acc;
    }
  const residual = Float64Array.from(w, (v, i) => v - update[i]);
  return { update, residual, sigma: S };
}

/** Thin QR by modified Gram–Schmidt (twice) on the first k = min(m, n) columns; R = Qᵀ·W, R_jj > 0. */
export function qrRef(
  w: ArrayLike<number>,
  m: number,
  n: number,
): { Q: Float64Array; R: Float64Array; k: number } {
  const k = Math.min(m, n);
  const Q = new Float64Array(m * k);
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = w[i * n + j];
    for (let pass = 0; pass < 2; pass++)
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += Q[i * k + p] * v[i];
        for (let i = 0; i < m; i++) v[i] -= d * Q[i * k + p];
      }
    let nv = 0;
    for (let i = 0; i < m; i++) nv += v[i] * v[i];
    nv = Math.sqrt(nv);
    for (let i = 0; i < m; i++) Q[i * k + j] = v[i] / nv;
  }
  const R = new Float64Array(k * n);
  for (let p = 0; p < k; p++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let i = 0; i < m; i++) acc += Q[i * k + p] * w[i * n + j];
      R[p * n + j] = acc;
    }
  return { Q, R, k };
}

/** OLoRA: B = Q[:, :r], A = R[:r, :] (QR unique with R_jj > 0 for full-rank W). */
export function oloraRef(w: ArrayLike<number>, m: number, n: number, r: number) {
  const { Q, R, k } = qrRef(w, m, n);
  const B = new Float64Array(m * r);
  for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) B[i * r + j] = Q[i * k + j];
  return { B, A: R.slice(0, r * n) };
}

/** Pseudo-inverse through the oracle SVD. */
export function pinvRef(a: ArrayLike<number>, k: number): Float64Array {
  const { U, S, V, k: kk } = svd(a, k, k);
  const out = new Float64Array(k * k);
  for (let p = 0; p < kk; p++) {
    if (S[p] <= S[0] * 1e-12) continue;
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) out[i * k + j] += (V[i * kk + p] * U[j * kk + p]) / S[p];
  }
  return out;
}

/** NLoRA: B = W[:, :r], A = W[:r, :], N = W[:r, :r] (released) or its pseudo-inverse (nystrom); returns B·N·A. */
export function nloraRef(
  w: ArrayLike<number>,
  m: number,
  n: number,
  r: number,
  variant: 'released' | 'nystrom',
) {
  const B = new Float64Array(m * r);
  const A = new Float64Array(r * n);
  const C = new Float64Array(r * r);
  for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) B[i * r + j] = w[i * n + j];
  for (let i = 0; i < r; i++) for (let j = 0; j < n; j++) A[i * n + j] = w[i * n + j];
  for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) C[i * r + j] = w[i * n + j];
  const N = variant === 'nystrom' ? pinvRef(C, r) : C;
  return { B, N, A, product: mm(mm(B, N, m, r, r), A, m, r, n) };
}

/** Best rank-r approximation of a (m × n). */
export function truncRef(a: ArrayLike<number>, m: number, n: number, r: number): Float64Array {
  return pissaRef(a, m, n, r).update;
}

/** LoRA-SB's starting update trunc_r(−η·sign(G)). */
export function loraSbRef(g: ArrayLike<number>, m: number, n: number, r: number, eta: number): Float64Array {
  return truncRef(
    Float64Array.from(g, (v) => -eta * Math.sign(v)),
    m,
    n,
    r,
  );
}

/** Compacter's H = Σ_i A_i ⊗ (s_i t_iᵀ); rule [n, n·n], left [n, p], right [n, q] → (n·p) × (n·q). */
export function phmRef(
  rule: ArrayLike<number>,
  left: ArrayLike<number>,
  right: ArrayLike<number>,
  n: number,
  p: number,
  q: number,
) {
  const out = new Float64Array(n * p * n * q);
  const cols = n * q;
  for (let i = 0; i < n; i++)
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++)
        for (let x = 0; x < p; x++)
          for (let y = 0; y < q; y++)
            out[(a * p + x) * cols + b * q + y] +=
              rule[i * n * n + a * n + b] * left[i * p + x] * right[i * q + y];
  return out;
}

/** y = x·(W + ΔW)ᵀ + b for x (N × in). */
export function linearRef(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number> | null,
  N: number,
  out: number,
  inp: number,
) {
  const y = new Float64Array(N * out);
  for (let s = 0; s < N; s++)
    for (let i = 0; i < out; i++) {
      let acc = b ? b[i] : 0;
      for (let j = 0; j < inp; j++) acc += x[s * inp + j] * w[i * inp + j];
      y[s * out + i] = acc;
    }
  return y;
}
