/** safetensors codec: 8-byte LE header length, JSON header, raw little-endian tensor data. */
import { MatrixFileError } from './types';

export type MatrixDtype = 'F64' | 'F32' | 'F16' | 'BF16';

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte offsets inside the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsMatrix {
  tensor: string;
  rows: number;
  cols: number;
  data: Float64Array;
  dtype: MatrixDtype;
}

export function listTensors(_bytes: Uint8Array, fileName = 'matrix.safetensors'): TensorEntry[] {
  throw new MatrixFileError(fileName, 'not implemented yet');
}

export function readSafetensorsMatrix(
  _bytes: Uint8Array,
  _tensor?: string,
  fileName = 'matrix.safetensors',
): SafetensorsMatrix {
  throw new MatrixFileError(fileName, 'not implemented yet');
}

export interface TensorToWrite {
  rows: number;
  cols: number;
  data: ArrayLike<number>;
  dtype?: MatrixDtype;
}

export function writeSafetensors(
  _tensors: Record<string, TensorToWrite>,
  _metadata?: Record<string, string>,
): Uint8Array {
  throw new Error('not implemented yet');
}
