import { describe, expect, it } from 'vitest';
import { Rng } from '../tensor/rng';
import { readNpy, writeNpy } from './npy';
import { MatrixFileError } from './types';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/**
 * The exact bytes `np.save(f, np.array([[1, 2, 3], [4, 5, 6]], dtype='<f4'))` writes, assembled by hand
 * from the format spec: magic, version 1.0, uint16 LE header length 118, the dict padded with spaces
 * to 128 bytes in all, '\n', then six little-endian float32.
 */
function numpyFixture2x3f4(): Uint8Array {
  const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const header = `${dict}${' '.repeat(128 - 10 - dict.length - 1)}\n`;
  expect(header.length).toBe(118);
  const floats = [
    [0x00, 0x00, 0x80, 0x3f], // 1
    [0x00, 0x00, 0x00, 0x40], // 2
    [0x00, 0x00, 0x40, 0x40], // 3
    [0x00, 0x00, 0x80, 0x40], // 4
    [0x00, 0x00, 0xa0, 0x40], // 5
    [0x00, 0x00, 0xc0, 0x40], // 6
  ].flat();
  return new Uint8Array([0x93, ...ascii('NUMPY'), 0x01, 0x00, 0x76, 0x00, ...ascii(header), ...floats]);
}

/** Build a .npy with an arbitrary header text (must end in '\n') and raw data bytes. */
function npyWith(headerText: string, data: Uint8Array, version = 1): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const pre = version === 1 ? 10 : 12;
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, ...ascii('NUMPY'), version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, h.length, true);
  else dv.setUint32(8, h.length, true);
  out.set(h, pre);
  out.set(data, pre + h.length);
  return out;
}

function f4bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function expectFileError(f: () => unknown, fragment: string | RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MatrixFileError);
  const msg = (err as Error).message;
  expect(msg.startsWith('w.npy: ')).toBe(true);
  if (typeof fragment === 'string') expect(msg).toContain(fragment);
  else expect(msg).toMatch(fragment);
}

describe('.npy known bytes', () => {
  it('reads the bytes numpy writes for a 2×3 float32 array', () => {
    const m = readNpy(numpyFixture2x3f4(), 'w.npy');
    expect(m).toEqual({ rows: 2, cols: 3, dtype: '<f4', data: new Float64Array([1, 2, 3, 4, 5, 6]) });
  });

  it('writes exactly those bytes', () => {
    expect(writeNpy({ rows: 2, cols: 3, data: [1, 2, 3, 4, 5, 6] }, '<f4')).toEqual(numpyFixture2x3f4());
  });

  it('pads every header to a multiple of 64 bytes, ending in a newline', () => {
    for (const [r, c] of [
      [1, 1],
      [123456, 7],
      [3, 99999],
    ]) {
      const b = writeNpy({ rows: r, cols: c, data: new Float64Array(r * c) }, '<f8');
      const hl = b[8] | (b[9] << 8);
      expect((10 + hl) % 64).toBe(0);
      expect(b[10 + hl - 1]).toBe(0x0a);
      expect(b.length).toBe(10 + hl + r * c * 8);
    }
  });
});

describe('.npy round trips', () => {
  it('f8 is exact and f4 equals Math.fround, on awkward shapes', () => {
    const rng = new Rng(3);
    for (const [r, c] of [
      [1, 1],
      [3, 17],
      [65, 2],
      [1, 257],
    ]) {
      const data = rng.normals(r * c, 100);
      const m8 = readNpy(writeNpy({ rows: r, cols: c, data }, '<f8'));
      expect([m8.rows, m8.cols, m8.dtype]).toEqual([r, c, '<f8']);
      expect(m8.data).toEqual(data);
      const m4 = readNpy(writeNpy({ rows: r, cols: c, data }, '<f4'));
      expect(m4.dtype).toBe('<f4');
      expect(m4.data).toEqual(data.map(Math.fround));
    }
  });

  it('reads version 2.0 and 3.0 headers, double quotes, other key orders, no trailing comma', () => {
    const data = f4bytes([1.5, -2, 0.25, 8]);
    const texts = [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }        \n",
      '{"shape": (2, 2), "fortran_order": False, "descr": "<f4"}\n',
      "{'fortran_order':False,'descr':'<f4','shape':(2,2)}\n",
    ];
    for (const v of [1, 2, 3])
      for (const t of texts) {
        const m = readNpy(npyWith(t, data, v), 'w.npy');
        expect([m.rows, m.cols]).toEqual([2, 2]);
        expect(Array.from(m.data)).toEqual([1.5, -2, 0.25, 8]);
      }
  });

  it('accepts unaligned data (header not padded to 64)', () => {
    const m = readNpy(
      npyWith(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2)}\n",
        new Uint8Array(new Float64Array([3, 4]).buffer),
      ),
    );
    expect(Array.from(m.data)).toEqual([3, 4]);
  });
});

describe('.npy errors', () => {
  const hdr = (descr: string, fortran: string, shape: string) =>
    `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
  const six = f4bytes([1, 2, 3, 4, 5, 6]);

  it('names the problem precisely', () => {
    expectFileError(
      () => readNpy(npyWith(hdr('<f4', 'False', '(6,)'), six), 'w.npy'),
      'needs a 2-D matrix, got a 1-D array of shape (6,)',
    );
    expectFileError(
      () => readNpy(npyWith(hdr('<f4', 'False', '(1, 2, 3)'), six), 'w.npy'),
      'needs a 2-D matrix, got a 3-D array',
    );
    expectFileError(
      () => readNpy(npyWith(hdr('<f4', 'False', '()'), f4bytes([1])), 'w.npy'),
      'got a 0-D array',
    );
    expectFileError(
      () => readNpy(npyWith(hdr('<f4', 'True', '(2, 3)'), six), 'w.npy'),
      'fortran_order True is not supported',
    );
    expectFileError(
      () => readNpy(npyWith(hdr('|u1', 'False', '(2, 3)'), new Uint8Array(6)), 'w.npy'),
      "dtype '|u1' is not supported ('<f4', '<f8')",
    );
    expectFileError(
      () => readNpy(npyWith(hdr('>f4', 'False', '(2, 3)'), six), 'w.npy'),
      "dtype '>f4' is not supported",
    );
    expectFileError(
      () => readNpy(npyWith(hdr('<f8', 'False', '(2, 3)'), six), 'w.npy'),
      'shape (2, 3) × 8 bytes = 48 bytes, but the file has 24 data bytes',
    );
    expectFileError(
      () => readNpy(npyWith(hdr('<f4', 'False', '(2, 4)'), six), 'w.npy'),
      '= 32 bytes, but the file has 24',
    );
    expectFileError(
      () => readNpy(npyWith(hdr('<f4', 'False', '(0, 3)'), new Uint8Array(0)), 'w.npy'),
      'is empty',
    );
    expectFileError(
      () => readNpy(npyWith(hdr('<f4', 'False', '(999999999999, 999999999999)'), six), 'w.npy'),
      'but the file has 24 data bytes',
    );
    expectFileError(
      () => readNpy(npyWith(hdr('<f4', 'False', '(2, 3)'), f4bytes([1, 2, 3, 4, Number.NaN, 6])), 'w.npy'),
      'value NaN at (row 1, col 1) is not finite',
    );
    expectFileError(
      () => readNpy(npyWith(hdr('<f4', 'False', '(2, 3)'), f4bytes([1, 2, -Infinity, 4, 5, 6])), 'w.npy'),
      'value -Infinity at (row 0, col 2)',
    );
  });

  it('validates magic, version and header length', () => {
    const good = numpyFixture2x3f4();
    const bad = good.slice();
    bad[0] = 0x92;
    expectFileError(() => readNpy(bad, 'w.npy'), 'magic');
    const v = good.slice();
    v[6] = 4;
    expectFileError(() => readNpy(v, 'w.npy'), 'unsupported .npy version 4.0');
    const lie = good.slice();
    lie[8] = 0xff;
    lie[9] = 0xff;
    expectFileError(() => readNpy(lie, 'w.npy'), 'header length 65535 exceeds file size 152');
    const lie2 = npyWith(hdr('<f4', 'False', '(2, 3)'), six, 2);
    new DataView(lie2.buffer).setUint32(8, 0xfffffff0, true);
    expectFileError(() => readNpy(lie2, 'w.npy'), `header length ${0xfffffff0} exceeds file size`);
    expectFileError(() => readNpy(good.subarray(0, 5), 'w.npy'), 'too short');
    expectFileError(() => readNpy(good.subarray(0, 100), 'w.npy'), 'exceeds file size 100');
  });

  it('parses the header dict strictly and never evaluates it', () => {
    const cases: [string, string][] = [
      ["{'descr': __import__('os').system('x'), 'fortran_order': False, 'shape': (2, 3)}\n", 'unexpected'],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': True}\n",
        "unexpected key 'extra'",
      ],
      [
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}\n",
        "duplicate key 'descr'",
      ],
      ["{'descr': '<f4', 'shape': (2, 3)}\n", "'fortran_order' missing"],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (6)}\n", 'shape must be a tuple'],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}\n", 'unexpected "["'],
      ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}\n", 'unexpected "0"'],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}\n", 'expected an integer'],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x\n", 'unexpected text after the dict'],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", 'does not end with a newline'],
      ["{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2, 3)}\n", 'escapes are not allowed'],
      ["{'descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}\n", 'expected'],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)\n", 'expected'],
    ];
    for (const [text, fragment] of cases)
      expectFileError(() => readNpy(npyWith(text, six), 'w.npy'), fragment);
    const nonAscii = npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}  \n", six);
    nonAscii[67] = 0xc3; // one of the trailing spaces
    expectFileError(() => readNpy(nonAscii, 'w.npy'), 'is not ASCII');
  });

  it('refuses to write what it could not read back', () => {
    expect(() => writeNpy({ rows: 1, cols: 2, data: [1, Number.NaN] })).toThrow(MatrixFileError);
    expect(() => writeNpy({ rows: 1, cols: 2, data: [1, 1e39] }, '<f4')).toThrow('overflows float32');
    expect(() => writeNpy({ rows: 2, cols: 2, data: [1, 2, 3] })).toThrow('expected 2×2 = 4');
    expect(readNpy(writeNpy({ rows: 1, cols: 2, data: [1, 1e39] }, '<f8')).data[1]).toBe(1e39);
  });
});
