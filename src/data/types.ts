/**
 * Shared shapes and the one error class of src/data.
 */

/** A dense real matrix, row-major: entry (i, j) is data[i·cols + j]. Always float64 in memory. */
export interface MatrixData {
  rows: number;
  cols: number;
  data: Float64Array;
  /** Human-readable label: file name (plus tensor name) or generator description. */
  name: string;
}

/**
 * Every problem reading or writing a matrix file: bad magic, lying header, unsupported dtype,
 * truncated data, NaN/Inf, … The message starts with the file name and says the precise problem,
 * e.g. `w.safetensors: header length 123456789 exceeds file size 1024`.
 */
export class MatrixFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'MatrixFileError';
  }
}

/** A generator asked for something impossible (rank > min side, blocks not dividing n, …); names the field. */
export class MatrixSourceError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'MatrixSourceError';
  }
}
