/**
 * NumPy .npy codec, written by hand from the format spec
 * (numpy/lib/format.py, NEP 1): magic "\x93NUMPY", version byte pair (1.0, 2.0 or 3.0), header length
 * (uint16 LE for 1.0, uint32 LE for 2.0/3.0), a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and ended by '\n',
 * then the raw array bytes.
 *
 * Supported: 2-D, C order, dtype '<f4' or '<f8'. The header dict is parsed as a strict literal
 * (never evaluated); the data must be exactly rows × cols × itemsize bytes; NaN/Inf are rejected.
 * Values come back as float64 (f4 values widen exactly), whatever the file's dtype.
 */
import { MatrixFileError } from './types';

export type NpyDtype = '<f4' | '<f8';

export interface NpyMatrix {
  rows: number;
  cols: number;
  /** Row-major, always float64 (f4 values are widened exactly). */
  data: Float64Array;
  dtype: NpyDtype;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93 N U M P Y
/** numpy refuses headers above 10 000 bytes by default; we allow some slack but stay bounded. */
const MAX_HEADER = 1 << 20;

type PyValue = string | boolean | number[];

/** Strict tokenizer/parser for the one dict shape numpy writes. */
function parseHeaderDict(text: string, fail: (problem: string) => never): Map<string, PyValue> {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const expect = (ch: string) => {
    ws();
    if (text[i] !== ch) fail(`header dict: expected '${ch}' at position ${i}, found ${showChar(text[i])}`);
    i++;
  };
  const str = (): string => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"')
      fail(`header dict: expected a quoted string at position ${i}, found ${showChar(q)}`);
    const end = text.indexOf(q, i + 1);
    if (end < 0) fail(`header dict: unterminated string at position ${i}`);
    const s = text.slice(i + 1, end);
    if (s.includes('\\')) fail(`header dict: escapes are not allowed in strings (position ${i})`);
    i = end + 1;
    return s;
  };
  const int = (): number => {
    ws();
    const m = /^[0-9]+/.exec(text.slice(i, i + 40));
    if (!m) fail(`header dict: expected an integer at position ${i}, found ${showChar(text[i])}`);
    const digits = m[0];
    i += digits.length;
    if (text[i] === 'L') i++; // Python 2 long suffix
    if (digits.length > 15) fail(`header dict: dimension ${digits} is too large`);
    return Number(digits);
  };
  const value = (): PyValue => {
    ws();
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    if (text[i] === "'" || text[i] === '"') return str();
    if (text[i] === '(') {
      i++;
      const dims: number[] = [];
      ws();
      if (text[i] === ')') {
        i++;
        return dims;
      }
      for (;;) {
        dims.push(int());
        ws();
        if (text[i] === ')') {
          i++;
          break;
        }
        expect(',');
        ws();
        if (text[i] === ')') {
          i++;
          break;
        }
        if (dims.length > 32) fail('header dict: shape has more than 32 dimensions');
      }
      // Python: (5) is an int, not a tuple; numpy always writes (5,).
      if (dims.length === 1 && !/,\s*\)$/.test(text.slice(0, i))) fail('header dict: shape must be a tuple');
      return dims;
    }
    return fail(`header dict: unexpected ${showChar(text[i])} at position ${i}`);
  };

  const out = new Map<string, PyValue>();
  expect('{');
  for (;;) {
    ws();
    if (text[i] === '}') {
      i++;
      break;
    }
    const key = str();
    expect(':');
    const v = value();
    if (out.has(key)) fail(`header dict: duplicate key '${key}'`);
    out.set(key, v);
    ws();
    if (text[i] === '}') {
      i++;
      break;
    }
    expect(',');
  }
  ws();
  const rest = text.slice(i);
  if (!/^[ \t]*\n$/.test(rest))
    fail(`header dict: unexpected text after the dict: ${JSON.stringify(rest.slice(0, 20))}`);
  return out;
}

function showChar(ch: string | undefined): string {
  return ch === undefined ? 'end of header' : JSON.stringify(ch);
}

export function readNpy(bytes: Uint8Array, fileName = 'matrix.npy'): NpyMatrix {
  const fail = (problem: string): never => {
    throw new MatrixFileError(fileName, problem);
  };
  if (bytes.length < 10) fail(`file is ${bytes.length} bytes, too short for a .npy header (at least 10)`);
  for (let k = 0; k < 6; k++)
    if (bytes[k] !== MAGIC[k]) fail('not a .npy file (magic string \\x93NUMPY missing)');
  const major = bytes[6];
  const minor = bytes[7];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0))
    fail(`unsupported .npy version ${major}.${minor} (1.0, 2.0, 3.0)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLen: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    headerStart = 10;
  } else {
    if (bytes.length < 12) fail(`file is ${bytes.length} bytes, too short for a version ${major}.0 header`);
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  }
  if (headerLen > bytes.length - headerStart)
    fail(
      `header length ${headerLen} exceeds file size ${bytes.length} (header starts at byte ${headerStart})`,
    );
  if (headerLen > MAX_HEADER) fail(`header length ${headerLen} exceeds the limit of ${MAX_HEADER} bytes`);
  const raw = bytes.subarray(headerStart, headerStart + headerLen);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return fail('header is not valid UTF-8');
    }
  } else {
    for (let k = 0; k < raw.length; k++)
      if (raw[k] > 0x7e) fail(`header byte ${headerStart + k} is not ASCII (0x${raw[k].toString(16)})`);
    text = new TextDecoder('latin1').decode(raw); // pure ASCII here, checked above
  }
  if (!text.endsWith('\n')) fail('header does not end with a newline');
  const dict = parseHeaderDict(text, fail);
  for (const key of dict.keys())
    if (key !== 'descr' && key !== 'fortran_order' && key !== 'shape')
      fail(`header dict: unexpected key '${key}'`);
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') fail("header dict: 'descr' missing or not a string");
  if (typeof fortran !== 'boolean') fail("header dict: 'fortran_order' missing or not True/False");
  if (!Array.isArray(shape)) fail("header dict: 'shape' missing or not a tuple");
  const d = descr as string;
  const dims = shape as number[];
  if (d !== '<f4' && d !== '<f8') fail(`dtype '${d}' is not supported ('<f4', '<f8')`);
  if (fortran) fail('fortran_order True is not supported (save the array in C order)');
  if (dims.length !== 2)
    fail(
      `needs a 2-D matrix, got a ${dims.length}-D array of shape (${dims.join(', ')}${dims.length === 1 ? ',' : ''})`,
    );
  const [rows, cols] = dims;
  if (rows === 0 || cols === 0) fail(`matrix shape (${rows}, ${cols}) is empty`);
  const itemsize = d === '<f4' ? 4 : 8;
  const dataStart = headerStart + headerLen;
  const have = bytes.length - dataStart;
  const need = rows * cols * itemsize; // both < 1e15, so the product is exact or clearly huge
  if (need !== have)
    fail(`shape (${rows}, ${cols}) × ${itemsize} bytes = ${need} bytes, but the file has ${have} data bytes`);
  const data = new Float64Array(rows * cols);
  const f4 = itemsize === 4;
  for (let k = 0; k < data.length; k++) {
    const v = f4 ? dv.getFloat32(dataStart + 4 * k, true) : dv.getFloat64(dataStart + 8 * k, true);
    if (!Number.isFinite(v))
      fail(`value ${v} at (row ${Math.floor(k / cols)}, col ${k % cols}) is not finite`);
    data[k] = v;
  }
  return { rows, cols, data, dtype: d as NpyDtype };
}

/**
 * Encode a row-major matrix as .npy v1.0, byte-for-byte what numpy ≥ 1.23 `np.save` writes
 * (header padded with spaces to a multiple of 64 bytes, with room for the first axis to grow).
 * Throws MatrixFileError for non-finite values or values that overflow float32.
 */
export function writeNpy(
  m: { rows: number; cols: number; data: ArrayLike<number> },
  dtype: NpyDtype = '<f4',
  fileName = 'matrix.npy',
): Uint8Array {
  const { rows, cols, data } = m;
  const fail = (problem: string): never => {
    throw new MatrixFileError(fileName, problem);
  };
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
    fail(`cannot write a ${rows}×${cols} matrix`);
  if (data.length !== rows * cols)
    fail(`data has ${data.length} values, expected ${rows}×${cols} = ${rows * cols}`);
  if (dtype !== '<f4' && dtype !== '<f8') fail(`dtype '${dtype}' is not supported ('<f4', '<f8')`);
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += ' '.repeat(21 - String(rows).length); // numpy's GROWTH_AXIS_MAX_DIGITS padding
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += `${' '.repeat(pad % 64)}\n`;
  const itemsize = dtype === '<f4' ? 4 : 8;
  const out = new Uint8Array(10 + header.length + rows * cols * itemsize);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  dv.setUint16(8, header.length, true);
  for (let k = 0; k < header.length; k++) out[10 + k] = header.charCodeAt(k);
  const base = 10 + header.length;
  for (let k = 0; k < data.length; k++) {
    const v = data[k];
    if (!Number.isFinite(v))
      fail(`value ${v} at (row ${Math.floor(k / cols)}, col ${k % cols}) is not finite`);
    if (itemsize === 4) {
      if (!Number.isFinite(Math.fround(v)))
        fail(`value ${v} at (row ${Math.floor(k / cols)}, col ${k % cols}) overflows float32`);
      dv.setFloat32(base + 4 * k, v, true);
    } else dv.setFloat64(base + 8 * k, v, true);
  }
  return out;
}
