/**
 * safetensors codec, written by hand from the format spec (huggingface/safetensors README):
 * 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * `{"__metadata__": {...}?, "<name>": {"dtype": "F32", "shape": [r, c], "data_offsets": [b, e]}, …}`
 * (padded with spaces), then the data section; offsets are relative to its start, and the tensors
 * must tile it exactly (sorted by offset: no gap, no overlap, last end = section length), each
 * spanning elements × itemsize bytes. Data is little-endian.
 *
 * Matrices read as float64 from F64, F32, F16 or BF16 (F16/BF16 decoded by hand); NaN/Inf are
 * rejected. Writing supports the same four dtypes (round to nearest even for F16/BF16).
 */
import { MatrixFileError } from './types';

export type MatrixDtype = 'F64' | 'F32' | 'F16' | 'BF16';
export const MATRIX_DTYPES: readonly MatrixDtype[] = ['F64', 'F32', 'F16', 'BF16'];

/** Item sizes of every dtype the format defines (so files holding other tensors still validate). */
const ITEMSIZE: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  C64: 8,
};

/** Header length sanity limit (the reference implementation uses 100 MB too). */
export const MAX_HEADER_BYTES = 100_000_000;

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

interface Parsed {
  entries: TensorEntry[];
  metadata: Record<string, string> | undefined;
  dataStart: number;
}

function parse(bytes: Uint8Array, fileName: string): Parsed {
  const fail = (problem: string): never => {
    throw new MatrixFileError(fileName, problem);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for a safetensors header length (8)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // exact up to 2^53; anything above is rejected below anyway
  if (n > bytes.length - 8) fail(`header length ${n} exceeds file size ${bytes.length}`);
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (n < 2) fail(`header length ${n} is too short for a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail('header is not valid UTF-8');
  }
  if (text[0] !== '{') fail('header does not start with "{"');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('header JSON is not an object');
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const entries: TensorEntry[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        fail('"__metadata__" is not an object');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>))
        if (typeof v !== 'string') fail(`"__metadata__" value for "${k}" is not a string`);
      metadata = raw as Record<string, string>;
      continue;
    }
    const t = `tensor '${name}'`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${t} is not an object`);
    const info = raw as Record<string, unknown>;
    const { dtype, shape, data_offsets: offs } = info;
    if (typeof dtype !== 'string') fail(`${t} has no string "dtype"`);
    const itemsize = ITEMSIZE[dtype as string];
    if (itemsize === undefined) fail(`${t} has unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape)) fail(`${t} has no "shape" array`);
    const dims = shape as unknown[];
    if (dims.length > 64) fail(`${t} has ${dims.length} dimensions`);
    for (const d of dims)
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
        fail(`${t} shape ${JSON.stringify(shape)} has an entry that is not a non-negative integer`);
    if (!Array.isArray(offs) || offs.length !== 2) fail(`${t} has no "data_offsets" pair`);
    const [begin, end] = offs as unknown[];
    if (
      typeof begin !== 'number' ||
      typeof end !== 'number' ||
      !Number.isSafeInteger(begin) ||
      !Number.isSafeInteger(end)
    )
      fail(`${t} data_offsets ${JSON.stringify(offs)} are not integers`);
    const b = begin as number;
    const e = end as number;
    if (b < 0 || e < b) fail(`${t} data_offsets [${b}, ${e}] are not an increasing pair`);
    if (e > dataLen) fail(`${t} data_offsets [${b}, ${e}] run past the data section (${dataLen} bytes)`);
    // elements × itemsize, stopping as soon as it exceeds the span (no overflow, no huge numbers).
    const span = e - b;
    let count = 1;
    let tooBig = false;
    for (const d of dims as number[]) {
      if (d === 0) {
        count = 0;
        tooBig = false;
        break;
      }
      if (!tooBig) {
        count *= d;
        if (count * itemsize > span) tooBig = true;
      }
    }
    if (tooBig || count * itemsize !== span)
      fail(
        `${t} shape [${(dims as number[]).join(', ')}] × ${itemsize} bytes (${dtype}) does not match its ${span} data bytes`,
      );
    entries.push({ name, dtype: dtype as string, shape: dims as number[], begin: b, end: e });
  }
  const sorted = [...entries].sort((x, y) => x.begin - y.begin || x.end - y.end);
  let at = 0;
  let prev: TensorEntry | undefined;
  for (const en of sorted) {
    if (en.begin < at)
      fail(
        `tensor '${en.name}' data_offsets [${en.begin}, ${en.end}] overlap tensor '${prev?.name}' [${prev?.begin}, ${prev?.end}]`,
      );
    if (en.begin > at) fail(`gap in the data section: bytes [${at}, ${en.begin}) belong to no tensor`);
    at = en.end;
    prev = en;
  }
  if (at !== dataLen) fail(`data section has ${dataLen} bytes but the tensors cover ${at}`);
  return { entries, metadata, dataStart };
}

/** Every tensor in the file (header fully validated). */
export function listTensors(bytes: Uint8Array, fileName = 'matrix.safetensors'): TensorEntry[] {
  return parse(bytes, fileName).entries;
}

/** The "__metadata__" map, if any. */
export function readMetadata(
  bytes: Uint8Array,
  fileName = 'matrix.safetensors',
): Record<string, string> | undefined {
  return parse(bytes, fileName).metadata;
}

function describe2d(entries: TensorEntry[]): string {
  const two = entries.filter((e) => e.shape.length === 2);
  if (two.length === 0) return 'the file has no 2-D tensors';
  const shown = two.slice(0, 20).map((e) => `'${e.name}' (${e.shape[0]}×${e.shape[1]} ${e.dtype})`);
  return `2-D tensors: ${shown.join(', ')}${two.length > 20 ? `, … (${two.length} in all)` : ''}`;
}

/** Decode an IEEE-style small float (F16: 5/10, BF16: 8/7) from its bits. */
function decodeSmall(bits: number, expBits: number, mantBits: number): number {
  const bias = (1 << (expBits - 1)) - 1;
  const sign = bits >>> (expBits + mantBits) ? -1 : 1;
  const exp = (bits >>> mantBits) & ((1 << expBits) - 1);
  const mant = bits & ((1 << mantBits) - 1);
  if (exp === 0) return sign * mant * 2 ** (1 - bias - mantBits);
  if (exp === (1 << expBits) - 1) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / (1 << mantBits)) * 2 ** (exp - bias);
}

export const f16BitsToNumber = (bits: number): number => decodeSmall(bits, 5, 10);
export const bf16BitsToNumber = (bits: number): number => decodeSmall(bits, 8, 7);

/** Round x to nearest-even in a small float format; returns the bits, or -1 on overflow. */
function encodeSmall(x: number, expBits: number, mantBits: number): number {
  const signBit = x < 0 || Object.is(x, -0) ? 1 << (expBits + mantBits) : 0;
  const a = Math.abs(x);
  if (a === 0) return signBit;
  const bias = (1 << (expBits - 1)) - 1;
  const emin = 1 - bias;
  const scale = 1 << mantBits;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  if (e < emin) {
    const m = roundHalfEven(a * 2 ** (mantBits - emin)); // subnormal; m = scale means min normal
    return signBit | m;
  }
  let m = roundHalfEven((a / 2 ** e - 1) * scale);
  if (m === scale) {
    m = 0;
    e++;
  }
  if (e > bias) return -1;
  return signBit | ((e + bias) << mantBits) | m;
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Bits of x rounded to float16 (nearest even); -1 if it overflows. */
export const numberToF16Bits = (x: number): number => encodeSmall(x, 5, 10);
/** Bits of x rounded to bfloat16 (nearest even); -1 if it overflows. */
export const numberToBf16Bits = (x: number): number => encodeSmall(x, 8, 7);

/**
 * Read one 2-D tensor as a float64 matrix. Without `tensor`, the file must hold exactly one 2-D
 * tensor. Errors name the tensor and list the file's 2-D tensors.
 */
export function readSafetensorsMatrix(
  bytes: Uint8Array,
  tensor?: string,
  fileName = 'matrix.safetensors',
): SafetensorsMatrix {
  const fail = (problem: string): never => {
    throw new MatrixFileError(fileName, problem);
  };
  const { entries, dataStart } = parse(bytes, fileName);
  let entry: TensorEntry | undefined;
  if (tensor === undefined) {
    const two = entries.filter((e) => e.shape.length === 2);
    if (two.length !== 1)
      fail(
        `name the tensor to read: ${two.length === 0 ? 'the file has no 2-D tensors' : describe2d(entries)}`,
      );
    entry = two[0];
  } else {
    entry = entries.find((e) => e.name === tensor);
    if (!entry) fail(`no tensor '${tensor}'; ${describe2d(entries)}`);
  }
  const en = entry as TensorEntry;
  const t = `tensor '${en.name}'`;
  if (!(MATRIX_DTYPES as readonly string[]).includes(en.dtype))
    fail(`${t} dtype ${en.dtype} is not supported (${MATRIX_DTYPES.join(', ')})`);
  if (en.shape.length !== 2)
    fail(
      `${t} has shape [${en.shape.join(', ')}] (${en.shape.length}-D); a matrix needs 2-D. ${describe2d(entries)}`,
    );
  const [rows, cols] = en.shape;
  if (rows === 0 || cols === 0) fail(`${t} has an empty shape [${rows}, ${cols}]`);
  const dtype = en.dtype as MatrixDtype;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const base = dataStart + en.begin;
  const data = new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) {
    let v: number;
    switch (dtype) {
      case 'F64':
        v = dv.getFloat64(base + 8 * k, true);
        break;
      case 'F32':
        v = dv.getFloat32(base + 4 * k, true);
        break;
      case 'F16':
        v = f16BitsToNumber(dv.getUint16(base + 2 * k, true));
        break;
      case 'BF16':
        v = bf16BitsToNumber(dv.getUint16(base + 2 * k, true));
        break;
    }
    if (!Number.isFinite(v))
      fail(`${t} value ${v} at (row ${Math.floor(k / cols)}, col ${k % cols}) is not finite`);
    data[k] = v;
  }
  return { tensor: en.name, rows, cols, data, dtype };
}

/**
 * Every tensor of the file as float32 values with its shape (state dicts): F32, F64, F16 and BF16
 * read; other dtypes and non-finite values are errors naming the tensor.
 */
export function readSafetensorsAll(
  bytes: Uint8Array,
  fileName = 'model.safetensors',
): Record<string, { shape: number[]; data: Float32Array }> {
  const { entries, dataStart } = parse(bytes, fileName);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, { shape: number[]; data: Float32Array }> = Object.create(null);
  for (const en of entries) {
    if (!(MATRIX_DTYPES as readonly string[]).includes(en.dtype))
      throw new MatrixFileError(
        fileName,
        `tensor '${en.name}' dtype ${en.dtype} is not supported (${MATRIX_DTYPES.join(', ')})`,
      );
    const n = en.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const base = dataStart + en.begin;
    for (let k = 0; k < n; k++) {
      const v =
        en.dtype === 'F32'
          ? dv.getFloat32(base + 4 * k, true)
          : en.dtype === 'F64'
            ? dv.getFloat64(base + 8 * k, true)
            : en.dtype === 'F16'
              ? f16BitsToNumber(dv.getUint16(base + 2 * k, true))
              : bf16BitsToNumber(dv.getUint16(base + 2 * k, true));
      if (!Number.isFinite(v))
        throw new MatrixFileError(fileName, `tensor '${en.name}' value ${v} at ${k} is not finite`);
      data[k] = v;
    }
    out[en.name] = { shape: [...en.shape], data };
  }
  return out;
}

export interface TensorToWrite {
  rows: number;
  cols: number;
  data: ArrayLike<number>;
  /** Default F32. */
  dtype?: MatrixDtype;
  /** Any-rank shape (state dicts: biases, stacked blocks); default [rows, cols]. Its product must be rows·cols. */
  shape?: number[];
}

const SIZE: Record<MatrixDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

/**
 * Encode 2-D tensors (in the object's key order) as a safetensors file; header padded with spaces
 * to a multiple of 8 bytes. Throws MatrixFileError on non-finite values or values that overflow
 * the chosen dtype.
 */
export function writeSafetensors(
  tensors: Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
  fileName = 'matrix.safetensors',
): Uint8Array {
  const fail = (problem: string): never => {
    throw new MatrixFileError(fileName, problem);
  };
  // null prototype: a tensor named "__proto__" must become a key, not the prototype
  const header: Record<string, unknown> = Object.create(null);
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    if (name === '__metadata__') fail('"__metadata__" cannot be a tensor name');
    const t = tensors[name];
    const dtype = t.dtype ?? 'F32';
    if (!(dtype in SIZE))
      fail(`tensor '${name}' dtype ${dtype} is not supported (${MATRIX_DTYPES.join(', ')})`);
    if (!Number.isInteger(t.rows) || !Number.isInteger(t.cols) || t.rows < 1 || t.cols < 1)
      fail(`tensor '${name}' cannot be ${t.rows}×${t.cols}`);
    if (t.data.length !== t.rows * t.cols)
      fail(`tensor '${name}' has ${t.data.length} values, expected ${t.rows}×${t.cols} = ${t.rows * t.cols}`);
    const bytes = t.data.length * SIZE[dtype];
    const shape = t.shape ?? [t.rows, t.cols];
    if (shape.reduce((a, b) => a * b, 1) !== t.data.length)
      fail(`tensor '${name}' shape [${shape.join(', ')}] does not hold ${t.data.length} values`);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder().encode(json);
  const padded = Math.ceil(enc.length / 8) * 8;
  json += ' '.repeat(padded - enc.length);
  const out = new Uint8Array(8 + padded + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, padded, true);
  dv.setUint32(4, 0, true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + padded;
  for (const name of names) {
    const t = tensors[name];
    const dtype = t.dtype ?? 'F32';
    for (let k = 0; k < t.data.length; k++) {
      const v = t.data[k];
      const where = () => `tensor '${name}' value ${v} at (row ${Math.floor(k / t.cols)}, col ${k % t.cols})`;
      if (!Number.isFinite(v)) fail(`${where()} is not finite`);
      if (dtype === 'F64') dv.setFloat64(at, v, true);
      else if (dtype === 'F32') {
        if (!Number.isFinite(Math.fround(v))) fail(`${where()} overflows F32`);
        dv.setFloat32(at, v, true);
      } else {
        const bits = dtype === 'F16' ? numberToF16Bits(v) : numberToBf16Bits(v);
        if (bits < 0) fail(`${where()} overflows ${dtype}`);
        dv.setUint16(at, bits, true);
      }
      at += SIZE[dtype];
    }
  }
  return out;
}
