/**
 * The sparse (CSR) family against the float64 oracle (src/reference/sparse.ts): apply, toDense,
 * backward w.r.t. X and the values (finite differences of the oracle), the magnitude projection
 * (count, largest, error = dropped mass, local optimality) and spec validation. Real WebGPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import { SparsePattern } from '../ops/sparse-apply';
import * as ref from '../reference/dense';
import * as sref from '../reference/sparse';
import * as ops from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { getFamily } from './registry';
import { SparseMatrix, sampleWithoutReplacement } from './sparse';
import { sparseNnz } from './sparse.spec';
import { SpecError } from './types';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(7001);
const f32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));
const randn = (n: number) => f32(rng.normals(n));
const up = (d: ArrayLike<number>, shape: number[]) => Tensor.fromArray(gpu, d, shape);

/** A random sparse matrix with a seeded support of nnz entries (f32-exact values). */
function randomSparse(rows: number, cols: number, nnz: number) {
  const flat = sampleWithoutReplacement(rows * cols, nnz, rng);
  const vals = randn(nnz);
  const m = new SparseMatrix(SparsePattern.fromFlat(gpu, rows, cols, flat), vals);
  return { m, vals };
}

const sizes: Array<[number, number, number, number]> = [
  // rows, cols, batch, nnz
  [1, 1, 1, 1],
  [3, 17, 5, 7],
  [17, 3, 9, 20],
  [65, 33, 17, 200],
  [33, 65, 1, 40], // most rows empty
  [65, 65, 65, 400],
  [130, 17, 3, 130 * 17], // full
];

describe('sparse apply', () => {
  for (const [rows, cols, batch, nnz] of sizes)
    it(`${rows}×${cols}, nnz ${nnz}, batch ${batch}: apply == toDense·x == oracle`, async () => {
      const { m, vals } = randomSparse(rows, cols, nnz);
      const x = randn(batch * cols);
      const want = sref.spmm(rows, cols, m.pattern.rowPtr, m.pattern.colIdx, vals, ref.arr(x, [batch, cols]));
      const got = await tidy(() => m.apply(up(x, [batch, cols]))).read();
      expect(ref.relMaxError(got, want.data)).toBeLessThan(1e-5);
      const dense = await tidy(() => m.toDense()).read();
      expect(
        ref.relMaxError(dense, sref.csrToDense(rows, cols, m.pattern.rowPtr, m.pattern.colIdx, vals)),
      ).toBe(0);
      const viaDense = await tidy(() => {
        const w = m.toDense();
        return ops.matmul(up(x, [batch, cols]), w, { transB: true });
      }).read();
      expect(ref.relMaxError(viaDense, want.data)).toBeLessThan(1e-5);
      expect(m.flops(batch)).toBe(2 * batch * nnz);
      expect(m.params).toBe(2 * nnz + rows + 1);
      m.dispose();
    });

  it('a pattern with empty rows and empty columns', async () => {
    // rows 0, 2, 4 empty; columns 1 and 3 empty.
    const flat = [1 * 5 + 0, 1 * 5 + 4, 3 * 5 + 2, 5 * 5 + 0, 5 * 5 + 2, 5 * 5 + 4];
    const vals = [1.5, -2, 3, 0.25, -1, 4];
    const m = new SparseMatrix(SparsePattern.fromFlat(gpu, 6, 5, flat), vals);
    expect(Array.from(m.pattern.rowPtr)).toEqual([0, 0, 2, 2, 3, 3, 6]);
    const x = randn(3 * 5);
    const xt = up(x, [3, 5]).trainable();
    const y = m.apply(xt);
    const want = sref.spmm(6, 5, m.pattern.rowPtr, m.pattern.colIdx, vals, ref.arr(x, [3, 5]));
    expect(ref.relMaxError(await y.read(), want.data)).toBeLessThan(1e-6);
    tidy(() => ops.sum(ops.mul(y, up(want.data, [3, 6]))).backward());
    // dX = dY·W with dY = want: columns 1 and 3 of dX are zero.
    const dx = await xt.grad!.read();
    for (let b = 0; b < 3; b++) {
      expect(dx[b * 5 + 1]).toBe(0);
      expect(dx[b * 5 + 3]).toBe(0);
    }
    y.dispose();
    xt.dispose();
    m.dispose();
  });

  it('takes [..., cols] inputs and keeps the leading shape', async () => {
    const { m, vals } = randomSparse(7, 9, 20);
    const x = randn(2 * 3 * 9);
    const y = tidy(() => m.apply(up(x, [2, 3, 9])));
    expect(y.shape).toEqual([2, 3, 7]);
    const want = sref.spmm(7, 9, m.pattern.rowPtr, m.pattern.colIdx, vals, ref.arr(x, [6, 9]));
    expect(ref.relMaxError(await y.read(), want.data)).toBeLessThan(1e-5);
    y.dispose();
    m.dispose();
    expect(() => tidy(() => m.apply(up(randn(8), [1, 8])))).toThrow(/9 columns/);
  });
});

describe('sparse backward vs finite differences of the oracle', () => {
  for (const [rows, cols, batch, nnz] of [
    [3, 5, 2, 6],
    [17, 9, 11, 40],
    [9, 17, 1, 30],
    [5, 65, 3, 64],
  ] as const)
    it(`${rows}×${cols}, nnz ${nnz}, batch ${batch}: dX and dvalues`, async () => {
      const { m, vals } = randomSparse(rows, cols, nnz);
      const { rowPtr, colIdx } = m.pattern;
      const x = randn(batch * cols);
      const wgt = randn(batch * rows);
      const loss = (xv: Float64Array, vv: ArrayLike<number>) => {
        const y = sref.spmm(rows, cols, rowPtr, colIdx, vv, ref.arr(xv, [batch, cols])).data;
        let s = 0;
        for (let i = 0; i < y.length; i++) s += y[i] * wgt[i];
        return s;
      };
      const xt = up(x, [batch, cols]).trainable();
      tidy(() => ops.sum(ops.mul(m.apply(xt), up(wgt, [batch, rows]))).backward());
      const numX = ref.numericGrad((v) => loss(v, vals), x, 1e-5);
      const numV = ref.numericGrad((v) => loss(x, v), Float64Array.from(vals), 1e-5);
      expect(ref.relMaxError(await xt.grad!.read(), numX)).toBeLessThan(1e-4);
      expect(ref.relMaxError(await m.values.grad!.read(), numV)).toBeLessThan(1e-4);
      xt.dispose();
      m.dispose();
    });

  it('toDense backward gathers dW at the support', async () => {
    const { m } = randomSparse(6, 7, 12);
    const gw = randn(42);
    tidy(() => ops.sum(ops.mul(m.toDense(), up(gw, [6, 7]))).backward());
    const flat = m.pattern.flat();
    const got = await m.values.grad!.read();
    expect(Array.from(got)).toEqual(Array.from(flat, (f) => Math.fround(gw[f])));
    m.dispose();
  });
});

describe('sparse projection', () => {
  const fam = getFamily('sparse');

  async function project(w: Float64Array, rows: number, cols: number, density: number) {
    const W = up(w, [rows, cols]);
    const m = (await fam.project(W, { family: 'sparse', density })) as SparseMatrix;
    W.dispose();
    const dense = Float64Array.from(await tidy(() => m.toDense()).read());
    return { m, dense };
  }

  for (const [rows, cols, density] of [
    [17, 33, 0.1],
    [65, 3, 0.5],
    [1, 1, 1],
    [33, 17, 0.03],
  ] as const)
    it(`${rows}×${cols} at density ${density}: exactly k largest, error = dropped mass`, async () => {
      const w = randn(rows * cols);
      const k = Math.max(1, Math.round(density * rows * cols));
      const { m, dense } = await project(w, rows, cols, density);
      expect(m.nnz).toBe(k);
      expect(fam.paramCount({ family: 'sparse', density }, rows, cols)).toBe(m.params);
      // The oracle (full comparison sort) picks the same matrix.
      expect(Array.from(dense)).toEqual(Array.from(sref.topK(w, k)));
      // Every kept |w| ≥ every dropped |w|.
      let minKept = Infinity;
      let maxDropped = 0;
      let dropped = 0;
      for (let i = 0; i < w.length; i++) {
        if (dense[i] !== 0) minKept = Math.min(minKept, Math.abs(w[i]));
        else {
          maxDropped = Math.max(maxDropped, Math.abs(w[i]));
          dropped += w[i] * w[i];
        }
      }
      expect(minKept).toBeGreaterThanOrEqual(maxDropped);
      expect(sref.frobDiff(w, dense)).toBeCloseTo(Math.sqrt(dropped), 12);
      m.dispose();
    });

  it('density 1 is exact', async () => {
    const w = randn(17 * 5);
    const { m, dense } = await project(w, 17, 5, 1);
    expect(sref.frobDiff(w, dense)).toBe(0);
    m.dispose();
  });

  it('ties are broken by the smaller flat index', async () => {
    const w = Float64Array.from([1, -2, 2, 0.5, -2, 1]);
    const { m, dense } = await project(w, 2, 3, 0.5);
    expect(Array.from(dense)).toEqual([0, -2, 2, 0, -2, 0]);
    m.dispose();
  });

  it('is locally optimal: no swap of a kept for a dropped entry and no value change lowers the error', async () => {
    const rows = 9;
    const cols = 11;
    const w = randn(rows * cols);
    const { m, dense } = await project(w, rows, cols, 0.2);
    const base = sref.frobDiff(w, dense);
    const kept = [...dense.keys()].filter((i) => dense[i] !== 0);
    const droppedIdx = [...dense.keys()].filter((i) => dense[i] === 0);
    for (let t = 0; t < 50; t++) {
      const a = kept[rng.int(kept.length)];
      const b = droppedIdx[rng.int(droppedIdx.length)];
      const swapped = Float64Array.from(dense);
      swapped[a] = 0;
      swapped[b] = w[b];
      expect(sref.frobDiff(w, swapped)).toBeGreaterThanOrEqual(base);
      const nudged = Float64Array.from(dense);
      nudged[a] += (rng.uniform() - 0.5) * 1e-3;
      expect(sref.frobDiff(w, nudged)).toBeGreaterThan(base);
    }
    m.dispose();
  });

  it('random() is seeded: same seed, same support; round(density·rows·cols) entries', async () => {
    const spec = { family: 'sparse' as const, density: 0.1 };
    const a = fam.random(gpu, 20, 30, spec, { rng: new Rng(5) }) as SparseMatrix;
    const b = fam.random(gpu, 20, 30, spec, { rng: new Rng(5) }) as SparseMatrix;
    expect(a.nnz).toBe(sparseNnz(0.1, 20, 30));
    expect(a.nnz).toBe(60);
    expect(Array.from(a.pattern.flat())).toEqual(Array.from(b.pattern.flat()));
    expect(Array.from(await a.values.read())).toEqual(Array.from(await b.values.read()));
    a.dispose();
    b.dispose();
  });

  it('rejects bad specs with SpecError naming the field', () => {
    for (const density of [0, -0.1, 1.5, Number.NaN]) {
      let err: unknown;
      try {
        fam.validate({ family: 'sparse', density }, 4, 4);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).field).toBe('density');
    }
    expect(() => fam.validate({ family: 'sparse', density: 1 }, 4, 4)).not.toThrow();
  });
});
