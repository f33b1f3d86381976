/**
 * MBAT binding against the f64 oracle (src/reference/binding.ts): GPU encodings of nested JSON
 * equal the recursive dense encoding; orthogonal bindings keep norms to f32 at any depth, Gaussian
 * ones do not; binding is non-commutative; bad sizes are clear errors. Real WebGPU (Dawn).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { objectDepth } from '../experiments/binding.schema';
import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { encodeRef, matVec, norm2 } from '../reference/binding';
import { relMaxError } from '../reference/dense';
import { gram64 } from '../reference/sketch';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import {
  Atoms,
  BINDING_TYPES,
  encodeRecords,
  makeBinders,
  normChain,
  perturbRecord,
  stringLeaves,
} from './binding';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const RECORDS: unknown[] = [
  { a: 1.25, b: 'x', c: { d: true, e: [1, 2, { f: null }] } },
  { b: 'y', a: -3 },
  [{ a: 2 }, 'loose', 7],
  'just a leaf',
  { deep: { deeper: { deepest: { v: 0.5 } } } },
];

describe('MBAT binding', () => {
  for (const type of BINDING_TYPES)
    for (const D of type === 'hadamard' ? [16] : [16, 17])
      it(`${type} (D = ${D}): GPU encodings equal the f64 recursive oracle`, async () => {
        const levels = Math.max(...RECORDS.map(objectDepth));
        const binders = makeBinders(gpu, type, D, levels, new Rng(5));
        const atoms = new Atoms(D, 9);
        const got = await encodeRecords(RECORDS, binders, atoms);
        const mats = binders.map((b) => Float32Array.from(b.dense()));
        const want = RECORDS.flatMap((r) =>
          Array.from(
            encodeRef(
              r,
              D,
              mats,
              (k) => atoms.atom(`k:${k}`),
              (v) => atoms.leaf(v),
            ),
          ),
        );
        expect(relMaxError(got, want)).toBeLessThan(2e-5);
        for (const b of binders) b.dispose();
      });

  it('the Hadamard binding is orthogonal and its FWHT apply equals its dense matrix', async () => {
    const D = 32;
    const [b] = makeBinders(gpu, 'hadamard', D, 1, new Rng(2));
    const B = b.dense();
    const g = gram64(B, D, D);
    for (let i = 0; i < D; i++)
      for (let j = 0; j < D; j++) expect(g[i * D + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    const x = new Rng(3).normals(3 * D);
    const X = Tensor.fromArray(gpu, x, [3, D]);
    const Y = b.apply(X);
    const want = [0, 1, 2].flatMap((r) => Array.from(matVec(B, x.subarray(r * D, (r + 1) * D), D)));
    expect(relMaxError(await Y.read(), want)).toBeLessThan(1e-5);
    for (const t of [X, Y]) t.dispose();
    b.dispose();
  });

  it('orthogonal bindings keep ‖x‖ = 1 to f32 through 32 levels; Gaussian ones do not', async () => {
    const D = 64;
    for (const type of BINDING_TYPES) {
      const binders = makeBinders(gpu, type, D, 32, new Rng(11));
      const chain = await normChain(gpu, binders, 16, new Rng(12));
      let dev = 0;
      for (const c of chain) dev = Math.max(dev, Math.abs(c.min - 1), Math.abs(c.max - 1));
      if (type === 'gaussian') expect(dev, type).toBeGreaterThan(0.1);
      else expect(dev, type).toBeLessThan(32 * 4e-7);
      for (const b of binders) b.dispose();
    }
  });

  it('binding is non-commutative: {a: {b: 1}} and {b: {a: 1}} are far apart', async () => {
    const D = 64;
    const binders = makeBinders(gpu, 'orthogonal', D, 2, new Rng(4));
    const v = await encodeRecords([{ a: { b: 1 } }, { b: { a: 1 } }], binders, new Atoms(D, 1));
    const x = v.subarray(0, D);
    const y = v.subarray(D);
    let dot = 0;
    for (let i = 0; i < D; i++) dot += x[i] * y[i];
    expect(dot / (norm2(x) * norm2(y))).toBeLessThan(0.8);
    for (const b of binders) b.dispose();
  });

  it('perturbRecord changes the asked number of leaves, reproducibly', () => {
    const rec = { a: 1, b: 'x', c: { d: true, e: [2, 'y'] } };
    const pool = stringLeaves([rec]);
    expect(pool).toEqual(['x', 'y']);
    const p1 = perturbRecord(rec, 2, 0.5, pool, new Rng(1));
    const p2 = perturbRecord(rec, 2, 0.5, pool, new Rng(1));
    expect(p1).toEqual(p2);
    const leaves = (v: unknown): unknown[] =>
      Array.isArray(v)
        ? v.flatMap(leaves)
        : v && typeof v === 'object'
          ? Object.values(v).flatMap(leaves)
          : [v];
    const changed = leaves(rec).filter((x, i) => x !== leaves(p1)[i]).length;
    expect(changed).toBe(2);
    expect(rec).toEqual({ a: 1, b: 'x', c: { d: true, e: [2, 'y'] } });
  });

  it('rejects a Hadamard dimension that is not a power of two and records deeper than the levels', async () => {
    expect(() => makeBinders(gpu, 'hadamard', 24, 1, new Rng(1))).toThrow(/power of two, got 24/);
    const binders = makeBinders(gpu, 'gaussian', 8, 1, new Rng(1));
    await expect(encodeRecords([{ a: { b: 1 } }], binders, new Atoms(8, 1))).rejects.toThrow(ShapeError);
    for (const b of binders) b.dispose();
  });
});
