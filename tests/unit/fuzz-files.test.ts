/**
 * Fuzzing the matrix-file readers: hundreds of seeded corruptions of valid .npy and safetensors
 * files (truncation, bit flips, header-length lies, broken header text, wrong dtypes, overlapping
 * offsets, giant shapes, NaN/Inf). Every file must either load as a finite, correctly-shaped matrix
 * or throw MatrixFileError with a message — never another exception, never a hang.
 */
import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../src/data/npy';
import { writeSafetensors } from '../../src/data/safetensors';
import { decodeMatrix } from '../../src/data/sources';
import { MatrixFileError } from '../../src/data/types';
import { Rng } from '../../src/tensor/rng';

type Outcome = 'ok' | 'error';

function attempt(label: string, load: () => { rows: number; cols: number; data: Float64Array }): Outcome {
  let m: { rows: number; cols: number; data: Float64Array };
  try {
    m = load();
  } catch (e) {
    if (e instanceof MatrixFileError && e.message.length > e.file.length + 2) return 'error';
    throw new Error(
      `${label}: expected MatrixFileError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
    );
  }
  const good =
    Number.isInteger(m.rows) &&
    Number.isInteger(m.cols) &&
    m.rows >= 1 &&
    m.cols >= 1 &&
    m.data instanceof Float64Array &&
    m.data.length === m.rows * m.cols &&
    m.data.every(Number.isFinite);
  if (!good)
    throw new Error(`${label}: loaded a bad matrix ${m.rows}×${m.cols} with ${m.data.length} values`);
  return 'ok';
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function flipBits(b: Uint8Array, rng: Rng, headerBias: number): Uint8Array {
  const out = b.slice();
  const n = 1 + rng.int(8);
  for (let k = 0; k < n; k++) {
    const at = rng.uniform() < 0.7 ? rng.int(Math.min(headerBias, out.length)) : rng.int(out.length);
    out[at] ^= 1 << rng.int(8);
  }
  return out;
}

function mutateText(t: string, rng: Rng, alphabet: string): string {
  const n = 1 + rng.int(3);
  for (let k = 0; k < n; k++) {
    const at = rng.int(t.length + 1);
    const r = rng.int(4);
    if (r === 0) t = t.slice(0, at) + t.slice(at + 1);
    else if (r === 1) t = t.slice(0, at) + pick(rng, [...alphabet]) + t.slice(at);
    else if (r === 2)
      t = t.replace(/[0-9]+/, () =>
        pick(rng, ['0', '99999999999999999999', '4294967296', '18446744073709551617', '-1']),
      );
    else t = t.slice(0, at) + pick(rng, [...alphabet]) + t.slice(at + 1);
  }
  return t;
}

// ---------------------------------------------------------------- .npy

function npyRaw(header: string, data: Uint8Array, version: number): Uint8Array {
  const h = new TextEncoder().encode(header);
  const pre = version === 1 ? 10 : 12;
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, h.length & 0xffff, true);
  else dv.setUint32(8, h.length, true);
  out.set(h, pre);
  out.set(data, pre + h.length);
  return out;
}

/** The corruption kinds of each format; every one must be exercised and rejected at least once. */
const NPY_KINDS = [
  'truncate',
  'bitflip',
  'length-lie',
  'header-text',
  'header-fields',
  'nan-inf',
  'append',
  'garbage',
];
const ST_KINDS = [
  'truncate',
  'bitflip',
  'length-lie',
  'json-text',
  'dtype',
  'shape',
  'offsets',
  'overlap',
  'metadata',
  'nan-inf',
  'garbage',
];

const NPY_DESCR = ['<f4', '<f8', '|u1', '>f4', '<i4', '<f2', '<c8', 'O', '<U3', '<f4 ', ''];
const NPY_SHAPES = [
  '(3,)',
  '()',
  '(2, 3, 4)',
  '(999999999999999, 2)',
  '(0, 5)',
  '(-1, 2)',
  '(2, 3.5)',
  '[2, 3]',
  '(6, 1)',
  '(1, 6)',
  '(3, 2)',
  '(2,3,)',
];

function npyCase(i: number, rng: Rng, bases: Uint8Array[]): { kind: string; bytes: Uint8Array } {
  const base = pick(rng, bases);
  const kind = pick(rng, NPY_KINDS);
  switch (kind) {
    case 'truncate':
      return { kind, bytes: base.slice(0, rng.int(base.length)) };
    case 'bitflip':
      return { kind, bytes: flipBits(base, rng, 140) };
    case 'length-lie': {
      const out = base.slice();
      const dv = new DataView(out.buffer);
      const v = pick(rng, [0, 1, out.length, out.length - 10, rng.int(200), 65535, 0xffffffff, 0x7fffffff]);
      if (out[6] === 1) dv.setUint16(8, v & 0xffff, true);
      else dv.setUint32(8, v >>> 0, true);
      return { kind, bytes: out };
    }
    case 'header-text': {
      const h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
      const t = `${mutateText(h, rng, '{}():,\'" 0123456789TrueFalse<>|fiu\n\\')}${' '.repeat(rng.int(10))}\n`;
      return {
        kind,
        bytes: npyRaw(t, new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer), pick(rng, [1, 2, 3])),
      };
    }
    case 'header-fields': {
      const descr = pick(rng, NPY_DESCR);
      const shape = pick(rng, NPY_SHAPES);
      const fortran = rng.uniform() < 0.2 ? 'True' : 'False';
      const t = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
      const data = new Uint8Array(pick(rng, [0, 6, 24, 48, 25]));
      new Rng(i).uniforms(data.length).forEach((u, k) => {
        data[k] = Math.floor(u * 64);
      });
      return { kind, bytes: npyRaw(t, data, pick(rng, [1, 2, 3])) };
    }
    case 'nan-inf': {
      const out = base.slice();
      const dv = new DataView(out.buffer);
      const hl = out[6] === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
      const start = (out[6] === 1 ? 10 : 12) + hl;
      const f8 = new TextDecoder().decode(out.subarray(0, start)).includes('<f8');
      const size = f8 ? 8 : 4;
      const at = start + size * rng.int((out.length - start) / size);
      const v = pick(rng, [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
      if (f8) dv.setFloat64(at, v, true);
      else dv.setFloat32(at, v, true);
      return { kind, bytes: out };
    }
    case 'append': {
      const extra = 1 + rng.int(9);
      const out = new Uint8Array(base.length + extra);
      out.set(base);
      return { kind, bytes: out };
    }
    default: {
      const out = new Uint8Array(rng.int(200));
      for (let k = 0; k < out.length; k++) out[k] = rng.int(256);
      if (rng.uniform() < 0.5 && out.length >= 8)
        out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1 + rng.int(3), 0]);
      return { kind, bytes: out };
    }
  }
}

// ---------------------------------------------------------------- safetensors

function stRaw(header: string, data: Uint8Array, lie?: [number, number]): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, lie ? lie[0] : h.length, true);
  dv.setUint32(4, lie ? lie[1] : 0, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function splitSt(b: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = new DataView(b.buffer, b.byteOffset).getUint32(0, true);
  return {
    header: JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n))) as Record<string, unknown>,
    data: b.slice(8 + n),
  };
}

const ST_DTYPES: unknown[] = ['F32', 'F16', 'BF16', 'F64', 'I8', 'U8', 'I64', 'Q4', 7, null, 'f32'];
const ST_SHAPES: unknown[] = [
  [3],
  [],
  [2, 3, 4],
  [1e15, 1e15],
  [2 ** 53, 2],
  [-1, 2],
  [2.5, 2],
  '2x3',
  [0, 3],
  [6, 1],
  [1, 6],
  [3, 2],
  [4294967296, 4294967296],
];

function stCase(
  i: number,
  rng: Rng,
  bases: Uint8Array[],
): { kind: string; bytes: Uint8Array; tensor?: string } {
  const base = pick(rng, bases);
  const { header, data } = splitSt(base);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const tensor = rng.uniform() < 0.3 ? undefined : pick(rng, [...names, 'missing']);
  const kind = pick(rng, ST_KINDS);
  const entry = () => header[pick(rng, names)] as Record<string, unknown>;
  const rebuild = () => stRaw(JSON.stringify(header), data);
  switch (kind) {
    case 'truncate':
      return { kind, tensor, bytes: base.slice(0, rng.int(base.length)) };
    case 'bitflip':
      return { kind, tensor, bytes: flipBits(base, rng, 8 + JSON.stringify(header).length) };
    case 'length-lie': {
      const n = JSON.stringify(header).length;
      const lie = pick(rng, [
        [123456789, 0],
        [0, 1],
        [0xffffffff, 0xffffffff],
        [n + 1 + rng.int(8), 0],
        [Math.max(0, n - 1 - rng.int(8)), 0],
        [base.length, 0],
        [1, 0],
        [0, 0],
      ] as [number, number][]);
      return { kind, tensor, bytes: stRaw(JSON.stringify(header), data, lie) };
    }
    case 'json-text':
      return {
        kind,
        tensor,
        bytes: stRaw(mutateText(JSON.stringify(header), rng, '{}[]:,"0123456789 \\\u00e9'), data),
      };
    case 'dtype':
      entry().dtype = pick(rng, ST_DTYPES);
      return { kind, tensor, bytes: rebuild() };
    case 'shape':
      entry().shape = pick(rng, ST_SHAPES);
      return { kind, tensor, bytes: rebuild() };
    case 'offsets': {
      const e = entry();
      const [b, en] = e.data_offsets as number[];
      e.data_offsets = pick(rng, [
        [b + 1, en + 1],
        [b, en - 2],
        [en, b],
        [0, 2 ** 60],
        [b, en, 0],
        [b - 4, en - 4],
        'x',
        [b + 0.5, en],
      ]);
      return { kind, tensor, bytes: rebuild() };
    }
    case 'overlap': {
      if (names.length >= 2 && rng.uniform() < 0.6) {
        // Slide every tensor after the first back by s bytes and drop s bytes of data: the tiling
        // stays gap-free and exact in length, so only the overlap check can catch it.
        const entries = names.map((n) => header[n] as { data_offsets: number[] });
        entries.sort((x, y) => x.data_offsets[0] - y.data_offsets[0]);
        const first = entries[0].data_offsets;
        const s = 1 + rng.int(first[1] - first[0]);
        for (const e of entries.slice(1)) e.data_offsets = [e.data_offsets[0] - s, e.data_offsets[1] - s];
        return { kind, tensor, bytes: stRaw(JSON.stringify(header), data.slice(0, data.length - s)) };
      }
      if (names.length >= 2) {
        const a = header[names[0]] as Record<string, unknown>;
        const c = header[names[1]] as Record<string, unknown>;
        c.data_offsets = a.data_offsets; // duplicate range
      } else entry().data_offsets = [0, 0];
      return { kind, tensor, bytes: rebuild() };
    }
    case 'metadata':
      header.__metadata__ = pick(rng, [{ a: 1 }, [1], 'x', null, { ok: 'yes' }]);
      if (rng.uniform() < 0.3) delete (entry() as Record<string, unknown>).dtype;
      return { kind, tensor, bytes: rebuild() };
    case 'nan-inf': {
      const out = base.slice();
      const n = new DataView(out.buffer).getUint32(0, true);
      const name = pick(rng, names);
      const e = header[name] as { dtype: string; data_offsets: number[] };
      const size = { F64: 8, F32: 4, F16: 2, BF16: 2 }[e.dtype] ?? 1;
      const count = (e.data_offsets[1] - e.data_offsets[0]) / size;
      const at = 8 + n + e.data_offsets[0] + size * rng.int(count);
      const dv = new DataView(out.buffer);
      const nan = rng.uniform() < 0.5;
      if (size === 8) dv.setFloat64(at, nan ? Number.NaN : Number.POSITIVE_INFINITY, true);
      else if (size === 4) dv.setFloat32(at, nan ? Number.NaN : Number.NEGATIVE_INFINITY, true);
      else if (e.dtype === 'F16') dv.setUint16(at, nan ? 0x7e00 : 0xfc00, true);
      else dv.setUint16(at, nan ? 0x7fc0 : 0x7f80, true);
      return { kind, tensor: name, bytes: out };
    }
    default: {
      const out = new Uint8Array(rng.int(300));
      for (let k = 0; k < out.length; k++) out[k] = rng.int(256);
      if (out.length > 10 && rng.uniform() < 0.5) {
        new DataView(out.buffer).setUint32(0, rng.int(out.length), true);
        new DataView(out.buffer).setUint32(4, 0, true);
        out[8] = 0x7b; // '{'
      }
      void i;
      return { kind, tensor, bytes: out };
    }
  }
}

describe('fuzzed matrix files', () => {
  const seedData = new Rng(7);

  it('400 corrupted .npy files: each loads finite data of the right shape or throws MatrixFileError', () => {
    const bases = [
      writeNpy({ rows: 2, cols: 3, data: seedData.normals(6) }, '<f4'),
      writeNpy({ rows: 1, cols: 1, data: [0.5] }, '<f8'),
      writeNpy({ rows: 17, cols: 3, data: seedData.normals(51) }, '<f8'),
      writeNpy({ rows: 3, cols: 5, data: seedData.normals(15) }, '<f4'),
    ];
    // a version-2.0 base too (same header, 4-byte length)
    const v1 = bases[0];
    const hl = v1[8] | (v1[9] << 8);
    bases.push(npyRaw(new TextDecoder().decode(v1.subarray(10, 10 + hl)), v1.slice(10 + hl), 2));
    const rng = new Rng(20261201);
    const tally: Record<string, Record<Outcome, number>> = {};
    for (let i = 0; i < 400; i++) {
      const { kind, bytes } = npyCase(i, rng, bases);
      const out = attempt(`npy case ${i} (${kind})`, () => decodeMatrix(bytes, 'fuzz.npy', 'npy'));
      tally[kind] ??= { ok: 0, error: 0 };
      tally[kind][out]++;
    }
    const total = Object.values(tally).reduce((s, t) => s + t.ok + t.error, 0);
    expect(total).toBe(400);
    // Every corruption kind was exercised and rejected at least sometimes; some mutants still load.
    for (const k of NPY_KINDS) expect(tally[k]?.error, k).toBeGreaterThan(0);
    expect(tally['nan-inf'].ok).toBe(0);
    expect(tally.append.ok).toBe(0);
    expect(Object.values(tally).reduce((s, t) => s + t.ok, 0)).toBeGreaterThan(0);
  });

  it('400 corrupted safetensors files: each loads finite data of the right shape or throws MatrixFileError', () => {
    const bases = [
      writeSafetensors({ w: { rows: 2, cols: 3, data: seedData.normals(6) } }),
      writeSafetensors(
        {
          a: { rows: 3, cols: 4, data: seedData.normals(12), dtype: 'F16' },
          b: { rows: 2, cols: 2, data: seedData.normals(4), dtype: 'BF16' },
          c: { rows: 1, cols: 3, data: seedData.normals(3), dtype: 'F64' },
        },
        { format: 'pt' },
      ),
      stRaw(
        JSON.stringify({
          v: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
          m: { dtype: 'F32', shape: [2, 2], data_offsets: [16, 32] },
          i: { dtype: 'I8', shape: [2, 4], data_offsets: [32, 40] },
        }),
        new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 0, 0]).buffer),
      ),
    ];
    const rng = new Rng(1202);
    const tally: Record<string, Record<Outcome, number>> = {};
    for (let i = 0; i < 400; i++) {
      const { kind, bytes, tensor } = stCase(i, rng, bases);
      const out = attempt(`safetensors case ${i} (${kind}, tensor ${tensor})`, () =>
        decodeMatrix(bytes, 'fuzz.safetensors', 'safetensors', tensor),
      );
      tally[kind] ??= { ok: 0, error: 0 };
      tally[kind][out]++;
    }
    for (const k of ST_KINDS) expect(tally[k]?.error, k).toBeGreaterThan(0);
    expect(tally['nan-inf'].ok).toBe(0);
    expect(tally.overlap.ok).toBe(0);
    expect(Object.values(tally).reduce((s, t) => s + t.ok + t.error, 0)).toBe(400);
    expect(Object.values(tally).reduce((s, t) => s + t.ok, 0)).toBeGreaterThan(0);
  });
});
