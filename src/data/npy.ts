/** NumPy .npy codec (v1.0/2.0/3.0), 2-D little-endian float32/float64, C order. */
import { MatrixFileError } from './types';

export type NpyDtype = '<f4' | '<f8';

export interface NpyMatrix {
  rows: number;
  cols: number;
  /** Row-major, always float64 (f4 values are widened exactly). */
  data: Float64Array;
  dtype: NpyDtype;
}

export function readNpy(_bytes: Uint8Array, fileName = 'matrix.npy'): NpyMatrix {
  throw new MatrixFileError(fileName, 'not implemented yet');
}

export function writeNpy(
  _m: { rows: number; cols: number; data: ArrayLike<number> },
  _dtype: NpyDtype = '<f4',
): Uint8Array {
  throw new Error('not implemented yet');
}
