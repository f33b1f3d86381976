/**
 * The N:M family against the float64 oracle: the packed-index forward kernel, toDense, backward
 * w.r.t. X and the values (finite differences), the projection (≤ n per group, the largest,
 * error = dropped mass, m:m exact, local optimality) and spec validation. Real WebGPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import { sparseKernels } from '../ops/sparse-apply';
import * as ref from '../reference/dense';
import * as sref from '../reference/sparse';
import * as ops from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { type NMSparseMatrix, nmKernels } from './nm-sparse';
import { indexLayout } from './nm-sparse.spec';
import { getFamily } from './registry';
import { SpecError } from './types';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(7002);
const f32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));
const randn = (n: number) => f32(rng.normals(n));
const up = (d: ArrayLike<number>, shape: number[]) => Tensor.fromArray(gpu, d, shape);
const fam = () => getFamily('nm-sparse');

async function project(w: Float64Array, rows: number, cols: number, n: number, m: number) {
  const W = up(w, [rows, cols]);
  const mat = (await fam().project(W, { family: 'nm-sparse', n, m })) as NMSparseMatrix;
  W.dispose();
  return mat;
}

describe('nm-sparse apply and backward', () => {
  const cases: Array<[number, number, number, number, number]> = [
    // rows, cols, batch, n, m
    [1, 4, 1, 2, 4],
    [3, 16, 5, 2, 4],
    [17, 12, 9, 1, 4],
    [65, 68, 17, 2, 4],
    [6, 8, 33, 4, 4], // 4:4 (dense) through the m = 4 kernel
    [5, 12, 40, 3, 4],
    [5, 24, 3, 3, 8],
    [7, 51, 65, 2, 17], // odd m: 5-bit offsets padded to 8
    [4, 3, 2, 1, 1], // 1:1 is dense
    [2, 600, 3, 5, 300], // 9-bit offsets padded to 16
  ];
  for (const [rows, cols, batch, n, m] of cases)
    it(`${rows}×${cols} ${n}:${m}, batch ${batch}: apply == toDense·x == oracle; dX, dvalues`, async () => {
      const mat = fam().random(gpu, rows, cols, { family: 'nm-sparse', n, m }, { rng }) as NMSparseMatrix;
      expect(mat.kept).toBe((rows * cols * n) / m);
      const vals = Float64Array.from(await mat.values.read());
      const { rowPtr, colIdx } = mat.pattern;
      const wDense = sref.csrToDense(rows, cols, rowPtr, colIdx, vals);
      // toDense equals the oracle's densification of the support.
      expect(Array.from(await tidy(() => mat.toDense()).read())).toEqual(Array.from(wDense));
      const x = randn(batch * cols);
      const want = sref.denseApply(wDense, rows, cols, ref.arr(x, [batch, cols]));
      const xt = up(x, [batch, cols]).trainable();
      const wgt = randn(batch * rows);
      const y = mat.apply(xt);
      expect(ref.relMaxError(await y.read(), want.data)).toBeLessThan(1e-5);
      tidy(() => ops.sum(ops.mul(y, up(wgt, [batch, rows]))).backward());
      const loss = (xv: Float64Array, vv: ArrayLike<number>) => {
        const yy = sref.spmm(rows, cols, rowPtr, colIdx, vv, ref.arr(xv, [batch, cols])).data;
        let s = 0;
        for (let i = 0; i < yy.length; i++) s += yy[i] * wgt[i];
        return s;
      };
      if (batch * cols <= 2000) {
        const numX = ref.numericGrad((v) => loss(v, vals), x, 1e-5);
        expect(ref.relMaxError(await xt.grad!.read(), numX)).toBeLessThan(1e-4);
      }
      const numV = ref.numericGrad((v) => loss(x, v), vals, 1e-5);
      expect(ref.relMaxError(await mat.values.grad!.read(), numV)).toBeLessThan(1e-4);
      const viaDense = await tidy(() =>
        ops.matmul(up(x, [batch, cols]), mat.toDense(), { transB: true }),
      ).read();
      expect(ref.relMaxError(viaDense, want.data)).toBeLessThan(1e-5);
      expect(mat.flops(batch)).toBe(2 * batch * mat.kept);
      expect(mat.params).toBe(fam().paramCount({ family: 'nm-sparse', n, m }, rows, cols));
      y.dispose();
      xt.dispose();
      mat.dispose();
    });

  it('every kernel variant of the sparse families compiles ahead of use', async () => {
    const ks = [...sparseKernels(), ...nmKernels()];
    await gpu.precompile(ks);
    gpu.checkErrors();
    expect(ks.length).toBe(6 + 5 + 3);
  });

  it('2:4 stores 2 bits per kept value: params = kept + kept/16', () => {
    expect(indexLayout(4)).toEqual({ bits: 2, lbits: 1, perWord: 16, lper: 4 });
    expect(fam().paramCount({ family: 'nm-sparse', n: 2, m: 4 }, 64, 64)).toBe(2048 + 128);
  });
});

describe('nm-sparse projection', () => {
  for (const [rows, cols, n, m] of [
    [17, 20, 2, 4],
    [3, 65 * 4, 2, 4],
    [9, 24, 1, 8],
    [5, 18, 4, 6],
  ] as const)
    it(`${rows}×${cols} ${n}:${m}: ≤ n per group, the largest, error = dropped mass`, async () => {
      const w = randn(rows * cols);
      const mat = await project(w, rows, cols, n, m);
      const dense = Float64Array.from(await tidy(() => mat.toDense()).read());
      expect(Array.from(dense)).toEqual(Array.from(sref.nmProject(w, rows, cols, n, m)));
      let dropped = 0;
      for (let r = 0; r < rows; r++)
        for (let g = 0; g < cols; g += m) {
          let nz = 0;
          let minKept = Infinity;
          let maxDropped = 0;
          for (let i = r * cols + g; i < r * cols + g + m; i++) {
            if (dense[i] !== 0) {
              nz++;
              minKept = Math.min(minKept, Math.abs(w[i]));
            } else {
              maxDropped = Math.max(maxDropped, Math.abs(w[i]));
              dropped += w[i] * w[i];
            }
          }
          expect(nz).toBeLessThanOrEqual(n);
          expect(minKept).toBeGreaterThanOrEqual(maxDropped);
        }
      expect(sref.frobDiff(w, dense)).toBeCloseTo(Math.sqrt(dropped), 12);
      mat.dispose();
    });

  it('4:4 is exact', async () => {
    const w = randn(6 * 12);
    const mat = await project(w, 6, 12, 4, 4);
    expect(sref.frobDiff(w, await tidy(() => mat.toDense()).read())).toBe(0);
    mat.dispose();
  });

  it('is locally optimal: swapping a kept and a dropped entry of a group, or nudging a value, does not help', async () => {
    const rows = 6;
    const cols = 16;
    const w = randn(rows * cols);
    const mat = await project(w, rows, cols, 2, 4);
    const dense = Float64Array.from(await tidy(() => mat.toDense()).read());
    const base = sref.frobDiff(w, dense);
    for (let t = 0; t < 60; t++) {
      const r = rng.int(rows);
      const g = rng.int(cols / 4) * 4;
      const cells = [0, 1, 2, 3].map((i) => r * cols + g + i);
      const kept = cells.filter((i) => dense[i] !== 0);
      const drop = cells.filter((i) => dense[i] === 0);
      const a = kept[rng.int(kept.length)];
      const b = drop[rng.int(drop.length)];
      const swapped = Float64Array.from(dense);
      swapped[a] = 0;
      swapped[b] = w[b];
      expect(sref.frobDiff(w, swapped)).toBeGreaterThanOrEqual(base);
      const nudged = Float64Array.from(dense);
      nudged[a] += (rng.uniform() - 0.5) * 1e-3;
      expect(sref.frobDiff(w, nudged)).toBeGreaterThan(base);
    }
    mat.dispose();
  });

  it('rejects bad specs with SpecError naming the field', () => {
    const field = (spec: { n: number; m: number }, cols: number) => {
      try {
        fam().validate({ family: 'nm-sparse', ...spec }, 4, cols);
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        return (e as SpecError).field;
      }
      return null;
    };
    expect(field({ n: 2, m: 4 }, 10)).toBe('m');
    expect(field({ n: 5, m: 4 }, 8)).toBe('n');
    expect(field({ n: 0, m: 4 }, 8)).toBe('n');
    expect(field({ n: 2, m: 0 }, 8)).toBe('m');
    expect(field({ n: 2, m: 4 }, 8)).toBe(null);
  });
});
