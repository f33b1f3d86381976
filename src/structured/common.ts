/** Checks and read-backs every structured family shares. */
import { ShapeError } from '../gpu/errors';
import type { Tensor } from '../tensor/tensor';

/** apply() takes X of shape [batch, cols] (Y = X·Wᵀ). */
export function checkInput(x: Tensor, cols: number, kind: string): void {
  if (x.rank !== 2 || x.shape[1] !== cols)
    throw new ShapeError(`${kind}.apply needs X of shape [batch, ${cols}], got [${x.shape.join(', ')}]`);
}

/** The shape of a matrix W handed to a projection; a non-matrix is a ShapeError naming `what`. */
export function matrixShape(W: Tensor, what: string): { rows: number; cols: number } {
  if (W.rank !== 2)
    throw new ShapeError(`${what} needs a 2-D matrix W [rows, cols], got [${W.shape.join(', ')}]`);
  return { rows: W.shape[0], cols: W.shape[1] };
}

/** W read back to the CPU in float64 (projections run there), with its shape. */
export async function readMatrix(
  W: Tensor,
  what: string,
): Promise<{ data: Float64Array; rows: number; cols: number }> {
  const { rows, cols } = matrixShape(W, what);
  return { data: Float64Array.from(await W.read()), rows, cols };
}
