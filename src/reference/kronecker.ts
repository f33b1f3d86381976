/**
 * float64 oracle of the Kronecker-sum family (Compacter / PHM, ALGORITHMS.md §1):
 *   W = Σ_{i<n} A_i ⊗ B_i,  A_i p × q,  B_i r × s,  rows = p·r, cols = q·s,
 *   W[a·r + e, c·s + d] = Σ_i A_i[a, c] · B_i[e, d].
 * Storage (the GPU layout too, chosen so apply is two plain GEMMs):
 *   A [p, n, q] with A_i[a, c] = A[(a·n + i)·q + c],   B [r, n, s] with B_i[e, d] = B[(e·n + i)·s + d].
 * Projection: nearest Kronecker sum through the Van Loan–Pitsianis rearrangement
 *   ℛ(W)[(a·q + c), (e·s + d)] = W[a·r + e, c·s + d],  W = Σ A_i ⊗ B_i  ⇔  ℛ(W) = Σ vec(A_i)·vec(B_i)ᵀ,
 * so the best n-term sum is the rank-n truncated SVD of ℛ(W) and its squared error is Σ_{j≥n} σ_j²
 * (the SVD is the oracle's own one-sided Jacobi, ./lowrank, not src/linalg's).
 */
import { type Arr, matmul } from './dense';
import { svd } from './lowrank';

export interface KronShape {
  n: number;
  p: number;
  q: number;
  r: number;
  s: number;
}

export function kronDense(A: ArrayLike<number>, B: ArrayLike<number>, k: KronShape): Arr {
  const { n, p, q, r, s } = k;
  const rows = p * r;
  const cols = q * s;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < p; a++)
      for (let c = 0; c < q; c++) {
        const av = A[(a * n + i) * q + c];
        for (let e = 0; e < r; e++)
          for (let d = 0; d < s; d++) out[(a * r + e) * cols + c * s + d] += av * B[(e * n + i) * s + d];
      }
  return { data: out, shape: [rows, cols] };
}

/** Y = X·Wᵀ without forming W: per row, Y_b = Σ_i A_i · X_b · B_iᵀ with X_b the q × s reshape. */
export function kronApply(x: Arr, A: ArrayLike<number>, B: ArrayLike<number>, k: KronShape): Arr {
  const { n, p, q, r, s } = k;
  const batch = x.shape[0];
  const rows = p * r;
  const cols = q * s;
  const out = new Float64Array(batch * rows);
  const u = new Float64Array(s);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < n; i++)
      for (let a = 0; a < p; a++) {
        u.fill(0);
        for (let c = 0; c < q; c++) {
          const av = A[(a * n + i) * q + c];
          for (let d = 0; d < s; d++) u[d] += av * x.data[b * cols + c * s + d];
        }
        for (let e = 0; e < r; e++) {
          let acc = 0;
          for (let d = 0; d < s; d++) acc += u[d] * B[(e * n + i) * s + d];
          out[b * rows + a * r + e] += acc;
        }
      }
  return { data: out, shape: [batch, rows] };
}

export function kronApplyDense(x: Arr, A: ArrayLike<number>, B: ArrayLike<number>, k: KronShape): Arr {
  return matmul(x, kronDense(A, B, k), false, true);
}

/** ℛ(W), a (p·q) × (r·s) row-major matrix. */
export function rearrange(W: Arr, k: KronShape): Float64Array {
  const { p, q, r, s } = k;
  const cols = q * s;
  const out = new Float64Array(p * q * r * s);
  for (let a = 0; a < p; a++)
    for (let c = 0; c < q; c++)
      for (let e = 0; e < r; e++)
        for (let d = 0; d < s; d++)
          out[(a * q + c) * r * s + e * s + d] = W.data[(a * r + e) * cols + c * s + d];
  return out;
}

/**
 * Nearest n-term Kronecker sum. Terms beyond rank(ℛ(W)) are zero. Returns the factors and the
 * singular values of ℛ(W) (all of them: the squared error is the sum of squares past the n-th).
 */
export function kronProject(W: Arr, k: KronShape): { A: Float64Array; B: Float64Array; sigma: Float64Array } {
  const { n, p, q, r, s } = k;
  const m = p * q;
  const w = r * s;
  const { U, S, V, k: rank } = svd(rearrange(W, k), m, w);
  const A = new Float64Array(p * n * q);
  const B = new Float64Array(r * n * s);
  for (let i = 0; i < Math.min(n, rank); i++) {
    const root = Math.sqrt(S[i]);
    for (let a = 0; a < p; a++)
      for (let c = 0; c < q; c++) A[(a * n + i) * q + c] = root * U[(a * q + c) * rank + i];
    for (let e = 0; e < r; e++)
      for (let d = 0; d < s; d++) B[(e * n + i) * s + d] = root * V[(e * s + d) * rank + i];
  }
  return { A, B, sigma: S };
}
