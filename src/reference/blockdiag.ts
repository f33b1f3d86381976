/**
 * float64 oracle of the block-diagonal family: W = diag(W_0, …, W_{nb−1}), block g is R × K
 * (R = rows / nb, K = cols / nb), stored as w[g·R·K + r·K + c]. Plain loops, for tests.
 */
import { type Arr, matmul } from './dense';

export interface BlockDiagShape {
  nb: number;
  R: number;
  K: number;
}

export function blockdiagShape(rows: number, cols: number, nb: number): BlockDiagShape {
  return { nb, R: rows / nb, K: cols / nb };
}

/** The dense rows × cols matrix. */
export function blockdiagDense(w: ArrayLike<number>, s: BlockDiagShape): Arr {
  const { nb, R, K } = s;
  const cols = nb * K;
  const out = new Float64Array(nb * R * cols);
  for (let g = 0; g < nb; g++)
    for (let r = 0; r < R; r++)
      for (let c = 0; c < K; c++) out[(g * R + r) * cols + g * K + c] = w[(g * R + r) * K + c];
  return { data: out, shape: [nb * R, cols] };
}

/** Y = X·Wᵀ block by block, never forming W. */
export function blockdiagApply(x: Arr, w: ArrayLike<number>, s: BlockDiagShape): Arr {
  const { nb, R, K } = s;
  const batch = x.shape[0];
  const cols = nb * K;
  const rows = nb * R;
  const out = new Float64Array(batch * rows);
  for (let b = 0; b < batch; b++)
    for (let g = 0; g < nb; g++)
      for (let r = 0; r < R; r++) {
        let acc = 0;
        for (let c = 0; c < K; c++) acc += w[(g * R + r) * K + c] * x.data[b * cols + g * K + c];
        out[b * rows + g * R + r] = acc;
      }
  return { data: out, shape: [batch, rows] };
}

/** Y = X·Wᵀ through the dense matrix (a second, independent route). */
export function blockdiagApplyDense(x: Arr, w: ArrayLike<number>, s: BlockDiagShape): Arr {
  return matmul(x, blockdiagDense(w, s), false, true);
}

/** Frobenius-optimal projection: keep the diagonal blocks (everything else is off the support). */
export function blockdiagProject(W: Arr, s: BlockDiagShape): Float64Array {
  const { nb, R, K } = s;
  const cols = nb * K;
  const w = new Float64Array(nb * R * K);
  for (let g = 0; g < nb; g++)
    for (let r = 0; r < R; r++)
      for (let c = 0; c < K; c++) w[(g * R + r) * K + c] = W.data[(g * R + r) * cols + g * K + c];
  return w;
}

/** ‖W‖_F² outside the diagonal blocks: the projection's squared error. */
export function offBlockMass(W: Arr, s: BlockDiagShape): number {
  const { R, K } = s;
  const [rows, cols] = W.shape;
  let m = 0;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++)
      if (Math.floor(i / R) !== Math.floor(j / K)) m += W.data[i * cols + j] ** 2;
  return m;
}
