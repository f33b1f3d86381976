/**
 * float64 oracle of the Monarch family (ALGORITHMS.md §2), with this project's rectangular form.
 *
 * W (rows × cols) = P_out · L · P_mid · R with
 *   R: m1 blocks, block t is m2 × P (P = cols / m1), stored w1[t, i, c]   ([m1, m2, P])
 *   L: m2 blocks, block i is Q × m1 (Q = rows / m2), stored w2[i, j, t]   ([m2, Q, m1])
 * and entry-wise  W[j·m2 + i, t·P + c] = w2[i, j, t] · w1[t, i, c].
 * Square n = m1·m2 gives P = m2, Q = m1: the paper's form. Rectangular: m1 = blocks (divides cols),
 * m2 = the divisor of rows closest to P (ties: the smaller), so the intermediate has m1·m2 ≈ cols
 * entries; for square matrices that is exactly n / m1.
 */
import { type Arr, matmul } from './dense';
import { svd } from './lowrank';

export interface MonarchShape {
  rows: number;
  cols: number;
  m1: number;
  m2: number;
  P: number;
  Q: number;
}

export function divisors(n: number): number[] {
  const d: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) d.push(i);
  return d;
}

/** The divisor of n closest to target (ties: the smaller). */
export function closestDivisor(n: number, target: number): number {
  let best = 1;
  for (const d of divisors(n)) if (Math.abs(d - target) < Math.abs(best - target)) best = d;
  return best;
}

/** Shape of a rows × cols Monarch with m1 R-blocks (default: the divisor of cols closest to √cols). */
export function monarchShape(rows: number, cols: number, m1?: number): MonarchShape {
  const b = m1 ?? closestDivisor(cols, Math.sqrt(cols));
  const P = cols / b;
  const m2 = rows === cols ? P : closestDivisor(rows, P);
  return { rows, cols, m1: b, m2, P, Q: rows / m2 };
}

export function monarchDense(w1: ArrayLike<number>, w2: ArrayLike<number>, s: MonarchShape): Arr {
  const { rows, cols, m1, m2, P, Q } = s;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < m2; i++)
    for (let j = 0; j < Q; j++)
      for (let t = 0; t < m1; t++) {
        const l = w2[(i * Q + j) * m1 + t];
        for (let c = 0; c < P; c++) out[(j * m2 + i) * cols + t * P + c] = l * w1[(t * m2 + i) * P + c];
      }
  return { data: out, shape: [rows, cols] };
}

/** Y = X·Wᵀ without forming W: z = R then transpose, y = L then transpose. */
export function monarchApply(x: Arr, w1: ArrayLike<number>, w2: ArrayLike<number>, s: MonarchShape): Arr {
  const { rows, cols, m1, m2, P, Q } = s;
  const batch = x.shape[0];
  const out = new Float64Array(batch * rows);
  const z = new Float64Array(m1 * m2);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < m1; t++)
      for (let i = 0; i < m2; i++) {
        let acc = 0;
        for (let c = 0; c < P; c++) acc += w1[(t * m2 + i) * P + c] * x.data[b * cols + t * P + c];
        z[t * m2 + i] = acc;
      }
    for (let i = 0; i < m2; i++)
      for (let j = 0; j < Q; j++) {
        let acc = 0;
        for (let t = 0; t < m1; t++) acc += w2[(i * Q + j) * m1 + t] * z[t * m2 + i];
        out[b * rows + j * m2 + i] = acc;
      }
  }
  return { data: out, shape: [batch, rows] };
}

export function monarchApplyDense(
  x: Arr,
  w1: ArrayLike<number>,
  w2: ArrayLike<number>,
  s: MonarchShape,
): Arr {
  return matmul(x, monarchDense(w1, w2, s), false, true);
}

/**
 * Frobenius-optimal projection (closed form): the slices B_{i,t}[j, c] = W[j·m2 + i, t·P + c]
 * partition W and each is one rank-1 product w2[i, :, t] · w1[t, i, :]ᵀ, so the best Monarch
 * takes the top singular triplet of every slice, split as √σ·u and √σ·v. The SVD is the oracle's own
 * one-sided Jacobi (./lowrank), not src/linalg's.
 */
export function monarchProject(W: Arr, s: MonarchShape): { w1: Float64Array; w2: Float64Array } {
  const { cols, m1, m2, P, Q } = s;
  const w1 = new Float64Array(m1 * m2 * P);
  const w2 = new Float64Array(m2 * Q * m1);
  const slice = new Float64Array(Q * P);
  for (let i = 0; i < m2; i++)
    for (let t = 0; t < m1; t++) {
      for (let j = 0; j < Q; j++)
        for (let c = 0; c < P; c++) slice[j * P + c] = W.data[(j * m2 + i) * cols + t * P + c];
      const { U, S, V, k } = svd(slice, Q, P);
      const root = Math.sqrt(S[0]);
      for (let j = 0; j < Q; j++) w2[(i * Q + j) * m1 + t] = root * U[j * k];
      for (let c = 0; c < P; c++) w1[(t * m2 + i) * P + c] = root * V[c * k];
    }
  return { w1, w2 };
}
