/**
 * Dense-matrix helpers shared by the structured projections (CPU, float64): the Frobenius norm and
 * the √σ-split of an SVD into two factors. One home for each, so every family computes errors and
 * splits singular values the same way (the GPU split of a GpuSvd is structured/lowrank.ts
 * factorsFromSvd, which does the same on tensors).
 */

/** ‖a‖_F of a matrix (any layout) or vector. */
export function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * The first r singular triplets of an SVD read on the CPU, √σ split to both sides:
 * B = U_r·√Σ_r (m × r) and A = √Σ_r·V_rᵀ (r × n), row-major. U is m × k and V is n × k, row-major
 * (column c is the c-th singular vector), r ≤ k; so B·A is the rank-r truncated SVD.
 */
export function splitFactors(
  U: ArrayLike<number>,
  S: ArrayLike<number>,
  V: ArrayLike<number>,
  m: number,
  n: number,
  k: number,
  r: number,
): { B: Float64Array; A: Float64Array } {
  if (r > k) throw new Error(`splitFactors: rank ${r} > the ${k} singular triplets given`);
  const B = new Float64Array(m * r);
  const A = new Float64Array(r * n);
  for (let c = 0; c < r; c++) {
    const s = Math.sqrt(S[c]);
    for (let i = 0; i < m; i++) B[i * r + c] = U[i * k + c] * s;
    for (let j = 0; j < n; j++) A[c * n + j] = V[j * k + c] * s;
  }
  return { B, A };
}
