import { describe, expect, it } from 'vitest';
import { Rng } from '../tensor/rng';
import {
  bf16BitsToNumber,
  f16BitsToNumber,
  listTensors,
  numberToBf16Bits,
  numberToF16Bits,
  readMetadata,
  readSafetensorsMatrix,
  writeSafetensors,
} from './safetensors';
import { MatrixFileError } from './types';

/** A safetensors file from a header string (padded with spaces to 8 bytes) and data bytes. */
function stWith(header: string, data: Uint8Array, lieLength?: number): Uint8Array {
  const h = new TextEncoder().encode(header);
  const padded = Math.ceil(h.length / 8) * 8;
  const out = new Uint8Array(8 + padded + data.length).fill(0x20, 8, 8 + padded);
  new DataView(out.buffer).setUint32(0, lieLength ?? padded, true);
  out.set(h, 8);
  out.set(data, 8 + padded);
  return out;
}

const f4 = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);

function expectFileError(f: () => unknown, fragment: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MatrixFileError);
  expect((err as Error).message.startsWith('w.safetensors: ')).toBe(true);
  expect((err as Error).message).toContain(fragment);
}

describe('safetensors known bytes', () => {
  it('reads a hand-built F32 file (what safetensors.torch.save_file writes for a 2×3 tensor)', () => {
    const header = '{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}';
    const bytes = stWith(header, f4([1, 2, 3, 4, 5, 6]));
    expect(Array.from(bytes.subarray(0, 8))).toEqual([64, 0, 0, 0, 0, 0, 0, 0]); // 58 bytes padded to 64
    const m = readSafetensorsMatrix(bytes, 'w', 'w.safetensors');
    expect(m).toEqual({
      tensor: 'w',
      rows: 2,
      cols: 3,
      dtype: 'F32',
      data: new Float64Array([1, 2, 3, 4, 5, 6]),
    });
    expect(readSafetensorsMatrix(bytes).tensor).toBe('w'); // the only 2-D tensor
  });

  it('decodes F16 and BF16 bit patterns by hand', () => {
    const f16: [number, number][] = [
      [0x3c00, 1],
      [0xc000, -2],
      [0x7bff, 65504],
      [0x0400, 2 ** -14],
      [0x0001, 2 ** -24],
      [0x03ff, 1023 * 2 ** -24],
      [0x3555, 0.333251953125],
      [0x8000, -0],
    ];
    for (const [bits, v] of f16) {
      expect(f16BitsToNumber(bits)).toBe(v);
      expect(numberToF16Bits(v)).toBe(bits);
    }
    expect(f16BitsToNumber(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(f16BitsToNumber(0x7e00)).toBeNaN();
    const bf16: [number, number][] = [
      [0x3f80, 1],
      [0x4049, 3.140625],
      [0xc2f7, -123.5],
      [0x0001, 2 ** -133],
      [0x7f7f, 3.3895313892515355e38],
    ];
    for (const [bits, v] of bf16) {
      expect(bf16BitsToNumber(bits)).toBe(v);
      expect(numberToBf16Bits(v)).toBe(bits);
    }
  });

  it('F16/BF16 encoding round-trips every finite bit pattern and rounds to nearest even', () => {
    const bad: string[] = [];
    let checked = 0;
    for (let b = 0; b < 65536; b++) {
      const h = f16BitsToNumber(b);
      if (Number.isFinite(h)) {
        checked++;
        if (numberToF16Bits(h) !== b) bad.push(`F16 0x${b.toString(16)}`);
      }
      const g = bf16BitsToNumber(b);
      if (Number.isFinite(g)) {
        checked++;
        if (numberToBf16Bits(g) !== b) bad.push(`BF16 0x${b.toString(16)}`);
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(checked).toBe(65536 - 2048 + (65536 - 256)); // all but the Inf/NaN patterns (exponent all ones)
    expect(numberToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(numberToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(numberToF16Bits(1 + 2 ** -11 + 2 ** -30)).toBe(0x3c01);
    expect(numberToF16Bits(2 ** -25)).toBe(0); // half the smallest subnormal → 0 (even)
    expect(numberToF16Bits(3 * 2 ** -26)).toBe(1);
    expect(numberToF16Bits(65519)).toBe(0x7bff);
    expect(numberToF16Bits(65520)).toBe(-1); // rounds to Inf: overflow
    expect(numberToF16Bits(1023.5 * 2 ** -24)).toBe(0x0400); // largest subnormal rounds up to min normal
  });

  it('BF16 rounding agrees with the usual float32 bit trick on random values', () => {
    const rng = new Rng(4);
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (let k = 0; k < 20000; k++) {
      f[0] = rng.normal() * 10 ** (rng.int(20) - 10);
      const trick = ((u[0] + 0x7fff + ((u[0] >>> 16) & 1)) >>> 16) & 0xffff;
      expect(numberToBf16Bits(f[0])).toBe(trick);
    }
  });
});

describe('safetensors round trips', () => {
  it('F64 exact, F32 = fround, F16 and BF16 within half an ulp; several tensors and metadata', () => {
    const rng = new Rng(9);
    const shapes: [number, number][] = [
      [1, 1],
      [3, 17],
      [65, 3],
    ];
    for (const [r, c] of shapes) {
      const data = rng.normals(r * c, 3);
      const bytes = writeSafetensors(
        {
          a64: { rows: r, cols: c, data, dtype: 'F64' },
          b32: { rows: r, cols: c, data },
          c16: { rows: r, cols: c, data, dtype: 'F16' },
          dbf: { rows: r, cols: c, data, dtype: 'BF16' },
        },
        { format: 'pt', note: 'héllo' },
      );
      expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0);
      expect(listTensors(bytes).map((t) => [t.name, t.dtype, t.shape])).toEqual([
        ['a64', 'F64', [r, c]],
        ['b32', 'F32', [r, c]],
        ['c16', 'F16', [r, c]],
        ['dbf', 'BF16', [r, c]],
      ]);
      expect(readMetadata(bytes)).toEqual({ format: 'pt', note: 'héllo' });
      expect(readSafetensorsMatrix(bytes, 'a64').data).toEqual(data);
      expect(readSafetensorsMatrix(bytes, 'b32').data).toEqual(data.map(Math.fround));
      const h = readSafetensorsMatrix(bytes, 'c16');
      const b = readSafetensorsMatrix(bytes, 'dbf');
      expect([h.rows, h.cols, h.dtype, b.dtype]).toEqual([r, c, 'F16', 'BF16']);
      for (let k = 0; k < data.length; k++) {
        const x = Math.abs(data[k]);
        // half an ulp relative (F16: 2^-11, BF16: 2^-8), absolute near F16's subnormal range
        expect(Math.abs(h.data[k] - data[k])).toBeLessThanOrEqual(Math.max(x * 2 ** -11, 2 ** -25));
        expect(Math.abs(b.data[k] - data[k])).toBeLessThanOrEqual(x * 2 ** -8);
      }
    }
  });

  it('keeps awkward tensor names (unicode, "__proto__", dots) as keys', () => {
    const named = Object.create(null) as Record<string, { rows: number; cols: number; data: number[] }>;
    const protoKey = ['__', 'proto', '__'].join('');
    Object.defineProperty(named, protoKey, { value: { rows: 1, cols: 1, data: [1] }, enumerable: true });
    named['héllo.wörld'] = { rows: 1, cols: 2, data: [2, 3] };
    const b2 = writeSafetensors(named);
    expect(listTensors(b2).map((t) => t.name)).toEqual(['__proto__', 'héllo.wörld']);
    expect(Array.from(readSafetensorsMatrix(b2, '__proto__').data)).toEqual([1]);
    expect(Array.from(readSafetensorsMatrix(b2, 'héllo.wörld').data)).toEqual([2, 3]);
  });

  it('refuses values the dtype cannot hold', () => {
    expect(() => writeSafetensors({ w: { rows: 1, cols: 1, data: [70000], dtype: 'F16' } })).toThrow(
      'overflows F16',
    );
    expect(() => writeSafetensors({ w: { rows: 1, cols: 1, data: [Number.NaN] } })).toThrow(MatrixFileError);
    expect(() => writeSafetensors({ w: { rows: 1, cols: 1, data: [1e39] } })).toThrow('overflows F32');
    expect(() => writeSafetensors({ w: { rows: 1, cols: 1, data: [1e39], dtype: 'BF16' } })).toThrow(
      'overflows BF16',
    );
    const big = readSafetensorsMatrix(
      writeSafetensors({ w: { rows: 1, cols: 1, data: [1e38], dtype: 'BF16' } }),
    ).data[0];
    expect(Math.abs(big - 1e38) / 1e38).toBeLessThan(2 ** -8); // BF16 keeps float32's range
  });
});

describe('safetensors errors', () => {
  const ok = '{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}';
  const six = f4([1, 2, 3, 4, 5, 6]);

  it('header length lies and truncation', () => {
    const f = stWith(ok, six);
    const lie = f.slice();
    new DataView(lie.buffer).setUint32(0, 123456789, true);
    expectFileError(
      () => readSafetensorsMatrix(lie, 'w', 'w.safetensors'),
      `header length 123456789 exceeds file size ${f.length}`,
    );
    const huge = f.slice();
    new DataView(huge.buffer).setUint32(4, 0xffffffff, true);
    expectFileError(() => readSafetensorsMatrix(huge, 'w', 'w.safetensors'), 'exceeds file size');
    expectFileError(() => readSafetensorsMatrix(f.subarray(0, 5), 'w', 'w.safetensors'), 'too short');
    expectFileError(
      () => readSafetensorsMatrix(f.subarray(0, f.length - 4), 'w', 'w.safetensors'),
      'run past the data section (20 bytes)',
    );
    expectFileError(
      () => readSafetensorsMatrix(stWith(ok, six, 0), 'w', 'w.safetensors'),
      'header length 0 is too short',
    );
  });

  it('bad JSON, not UTF-8, not an object', () => {
    expectFileError(
      () => listTensors(stWith('{"w": {"dtype": "F32",', six), 'w.safetensors'),
      'header is not valid JSON',
    );
    expectFileError(
      () => listTensors(stWith('[1, 2]', new Uint8Array(0)), 'w.safetensors'),
      'does not start with "{"',
    );
    expectFileError(
      () => listTensors(stWith('{"a": null}', new Uint8Array(0)), 'w.safetensors'),
      "tensor 'a' is not an object",
    );
    const bad = stWith(ok, six);
    bad[9] = 0xff;
    expectFileError(() => listTensors(bad, 'w.safetensors'), 'not valid UTF-8');
    expectFileError(
      () => listTensors(stWith('{"__metadata__": {"a": 1}}', new Uint8Array(0)), 'w.safetensors'),
      'not a string',
    );
  });

  it('dtype, shape, offsets', () => {
    const one = (dtype: string, shape: string, offs: string, data: Uint8Array) =>
      stWith(`{"w":{"dtype":"${dtype}","shape":${shape},"data_offsets":${offs}}}`, data);
    expectFileError(
      () => readSafetensorsMatrix(one('I8', '[2,3]', '[0,6]', new Uint8Array(6)), 'w', 'w.safetensors'),
      "tensor 'w' dtype I8 is not supported (F64, F32, F16, BF16)",
    );
    expectFileError(
      () => listTensors(one('Q4', '[2,3]', '[0,6]', new Uint8Array(6)), 'w.safetensors'),
      'tensor \'w\' has unknown dtype "Q4"',
    );
    expectFileError(
      () => listTensors(one('F32', '[2,4]', '[0,24]', six), 'w.safetensors'),
      "tensor 'w' shape [2, 4] × 4 bytes (F32) does not match its 24 data bytes",
    );
    expectFileError(
      () => listTensors(one('F32', '[4294967296,4294967296]', '[0,24]', six), 'w.safetensors'),
      'does not match its 24 data bytes',
    );
    expectFileError(
      () => listTensors(one('F32', '[2,-3]', '[0,24]', six), 'w.safetensors'),
      'not a non-negative integer',
    );
    expectFileError(
      () => listTensors(one('F32', '[2,3.5]', '[0,24]', six), 'w.safetensors'),
      'not a non-negative integer',
    );
    expectFileError(
      () => listTensors(one('F32', '[2,3]', '[24,0]', six), 'w.safetensors'),
      'not an increasing pair',
    );
    expectFileError(
      () => listTensors(one('F32', '[2,3]', '[0,24,1]', six), 'w.safetensors'),
      'no "data_offsets" pair',
    );
    expectFileError(
      () => listTensors(one('F32', '[1,3]', '[0,12]', six), 'w.safetensors'),
      'data section has 24 bytes but the tensors cover 12',
    );
    const two = (o1: string, o2: string) =>
      stWith(
        `{"a":{"dtype":"F32","shape":[1,3],"data_offsets":${o1}},"b":{"dtype":"F32","shape":[1,3],"data_offsets":${o2}}}`,
        six,
      );
    expect(listTensors(two('[12,24]', '[0,12]')).map((t) => t.name)).toEqual(['a', 'b']); // any key order
    expectFileError(
      () => listTensors(two('[0,12]', '[8,20]'), 'w.safetensors'),
      "tensor 'b' data_offsets [8, 20] overlap tensor 'a' [0, 12]",
    );
    expectFileError(() => listTensors(two('[0,12]', '[0,12]'), 'w.safetensors'), 'overlap');
    const gap = stWith(
      '{"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1,3],"data_offsets":[12,24]}}',
      six,
    );
    expectFileError(() => listTensors(gap, 'w.safetensors'), 'gap in the data section: bytes [8, 12)');
  });

  it('choosing the tensor: names it and lists the 2-D tensors', () => {
    const bytes = writeSafetensors({
      'layer0.weight': { rows: 2, cols: 3, data: [1, 2, 3, 4, 5, 6] },
      'layer1.weight': { rows: 3, cols: 1, data: [1, 2, 3] },
    });
    expectFileError(
      () => readSafetensorsMatrix(bytes, undefined, 'w.safetensors'),
      "name the tensor to read: 2-D tensors: 'layer0.weight' (2×3 F32), 'layer1.weight' (3×1 F32)",
    );
    expectFileError(
      () => readSafetensorsMatrix(bytes, 'bias', 'w.safetensors'),
      "no tensor 'bias'; 2-D tensors: 'layer0.weight'",
    );
    expect(readSafetensorsMatrix(bytes, 'layer1.weight').data).toEqual(new Float64Array([1, 2, 3]));
    const vec = stWith('{"b":{"dtype":"F32","shape":[6],"data_offsets":[0,24]}}', six);
    expectFileError(
      () => readSafetensorsMatrix(vec, 'b', 'w.safetensors'),
      "tensor 'b' has shape [6] (1-D); a matrix needs 2-D. the file has no 2-D tensors",
    );
    expectFileError(
      () => readSafetensorsMatrix(vec, undefined, 'w.safetensors'),
      'the file has no 2-D tensors',
    );
  });

  it('NaN and Inf name the tensor and the entry', () => {
    const nan = stWith(ok, f4([1, 2, 3, 4, 5, Number.NaN]));
    expectFileError(
      () => readSafetensorsMatrix(nan, 'w', 'w.safetensors'),
      "tensor 'w' value NaN at (row 1, col 2) is not finite",
    );
    const inf16 = stWith(
      '{"w":{"dtype":"F16","shape":[1,2],"data_offsets":[0,4]}}',
      new Uint8Array([0, 0x3c, 0, 0x7c]),
    );
    expectFileError(
      () => readSafetensorsMatrix(inf16, 'w', 'w.safetensors'),
      'value Infinity at (row 0, col 1)',
    );
  });
});
