/**
 * Sparse + low-rank (SLTrain) against the float64 oracle: apply == toDense·x == oracle, backward
 * w.r.t. X, A, B and the sparse values (finite differences), the alternating projection (never
 * worse than low-rank alone or sparse alone, non-increasing error, near-exact recovery of an
 * exactly low-rank + sparse matrix with large spikes) and spec validation. Real WebGPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import { SparsePattern } from '../ops/sparse-apply';
import * as ref from '../reference/dense';
import { svd as svd64 } from '../reference/lowrank';
import * as sref from '../reference/sparse';
import * as ops from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { getFamily } from './registry';
import { SparseMatrix, sampleWithoutReplacement } from './sparse';
import { projectSparseLowRank, SparseLowRankMatrix } from './sparse-lowrank';
import { slNnz } from './sparse-lowrank.spec';
import { SpecError } from './types';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(7003);
const f32 = (a: ArrayLike<number>) => Float64Array.from(Float32Array.from(a));
const randn = (n: number, std = 1) => f32(rng.normals(n, std));
const up = (d: ArrayLike<number>, shape: number[]) => Tensor.fromArray(gpu, d, shape);
const fam = () => getFamily('sparse+lowrank');

function build(rows: number, cols: number, rank: number, nnz: number) {
  const B = randn(rows * rank);
  const A = randn(rank * cols);
  const flat = sampleWithoutReplacement(rows * cols, nnz, rng);
  const vals = randn(nnz);
  const S = new SparseMatrix(SparsePattern.fromFlat(gpu, rows, cols, flat), vals);
  const m = new SparseLowRankMatrix(up(B, [rows, rank]), up(A, [rank, cols]), S);
  const sDense = sref.csrToDense(rows, cols, S.pattern.rowPtr, S.pattern.colIdx, vals);
  return { m, B, A, vals, sDense, pattern: S.pattern };
}

describe('sparse+lowrank apply and backward', () => {
  for (const [rows, cols, rank, nnz, batch] of [
    [1, 1, 1, 1, 1],
    [3, 17, 2, 5, 5],
    [17, 3, 3, 10, 65],
    [65, 33, 4, 100, 17],
  ] as const)
    it(`${rows}×${cols}, r ${rank}, nnz ${nnz}, batch ${batch}: apply == toDense·x == oracle`, async () => {
      const { m, B, A, sDense } = build(rows, cols, rank, nnz);
      const wDense = sref.lowRankPlusSparse(B, A, sDense, rows, cols, rank);
      const x = randn(batch * cols);
      const want = sref.denseApply(wDense, rows, cols, ref.arr(x, [batch, cols]));
      const got = await tidy(() => m.apply(up(x, [batch, cols]))).read();
      expect(ref.relMaxError(got, want.data)).toBeLessThan(2e-5);
      const dense = await tidy(() => m.toDense()).read();
      expect(ref.relMaxError(dense, wDense)).toBeLessThan(1e-5);
      const viaDense = await tidy(() =>
        ops.matmul(up(x, [batch, cols]), m.toDense(), { transB: true }),
      ).read();
      expect(ref.relMaxError(viaDense, want.data)).toBeLessThan(2e-5);
      expect(m.flops(batch)).toBe(2 * batch * (rank * (rows + cols) + nnz));
      expect(m.params).toBe(rank * (rows + cols) + 2 * nnz + rows + 1);
      m.dispose();
    });

  it('dX, dA, dB and dvalues match finite differences of the oracle', async () => {
    const [rows, cols, rank, nnz, batch] = [9, 13, 3, 20, 5];
    const { m, B, A, vals, pattern } = build(rows, cols, rank, nnz);
    const x = randn(batch * cols);
    const wgt = randn(batch * rows);
    const loss = (
      xv: ArrayLike<number>,
      bv: ArrayLike<number>,
      av: ArrayLike<number>,
      vv: ArrayLike<number>,
    ) => {
      const s = sref.csrToDense(rows, cols, pattern.rowPtr, pattern.colIdx, vv);
      const w = sref.lowRankPlusSparse(bv, av, s, rows, cols, rank);
      const y = sref.denseApply(w, rows, cols, ref.arr(xv, [batch, cols])).data;
      let t = 0;
      for (let i = 0; i < y.length; i++) t += y[i] * wgt[i];
      return t;
    };
    const xt = up(x, [batch, cols]).trainable();
    tidy(() => ops.sum(ops.mul(m.apply(xt), up(wgt, [batch, rows]))).backward());
    const vv = Float64Array.from(vals);
    const checks: Array<[Tensor, Float64Array]> = [
      [xt, ref.numericGrad((v) => loss(v, B, A, vv), x, 1e-5)],
      [m.B, ref.numericGrad((v) => loss(x, v, A, vv), B, 1e-5)],
      [m.A, ref.numericGrad((v) => loss(x, B, v, vv), A, 1e-5)],
      [m.S.values, ref.numericGrad((v) => loss(x, B, A, v), vv, 1e-5)],
    ];
    for (const [t, num] of checks) expect(ref.relMaxError(await t.grad!.read(), num)).toBeLessThan(1e-4);
    expect(m.parameters()).toEqual([m.A, m.B, m.S.values]);
    xt.dispose();
    m.dispose();
  });

  it('random() follows SLTrain: B = 0 so W = S at init; ⌊δ·out·in⌋ support entries; seeded', async () => {
    const spec = { family: 'sparse+lowrank' as const, rank: 4, density: 0.03, rounds: 1 };
    const a = fam().random(gpu, 40, 50, spec, { rng: new Rng(9) }) as SparseLowRankMatrix;
    const b = fam().random(gpu, 40, 50, spec, { rng: new Rng(9) }) as SparseLowRankMatrix;
    expect(a.S.nnz).toBe(60);
    const wa = await tidy(() => a.toDense()).read();
    const sa = await tidy(() => a.S.toDense()).read();
    expect(Array.from(wa)).toEqual(Array.from(sa));
    expect(Array.from(await a.A.read())).toEqual(Array.from(await b.A.read()));
    expect(Array.from(a.S.pattern.flat())).toEqual(Array.from(b.S.pattern.flat()));
    expect(a.params).toBe(fam().paramCount(spec, 40, 50));
    a.dispose();
    b.dispose();
  });
});

/** Rank-r incoherent part + `nnz` spikes of size ±spike (+ optional dense noise). */
function lowRankPlusSpikes(rows: number, cols: number, rank: number, nnz: number, spike: number, noise = 0) {
  const U = rng.normals(rows * rank);
  const V = rng.normals(rank * cols);
  const w = sref.lowRankPlusSparse(U, V, new Float64Array(rows * cols), rows, cols, rank);
  const flat = sampleWithoutReplacement(rows * cols, nnz, rng);
  for (const f of flat) w[f] += (rng.uniform() < 0.5 ? -1 : 1) * spike * (1 + rng.uniform());
  if (noise) for (let i = 0; i < w.length; i++) w[i] += noise * rng.normal();
  return f32(w);
}

/** Best rank-r error ‖W − W_r‖_F from the oracle SVD. */
function lowRankOnlyError(w: Float64Array, rows: number, cols: number, r: number): number {
  const s = svd64(w, rows, cols).S;
  let e = 0;
  for (let i = r; i < s.length; i++) e += s[i] * s[i];
  return Math.sqrt(e);
}

describe('sparse+lowrank projection', () => {
  it('is never worse than low-rank alone or sparse alone, and the error never increases', async () => {
    const [rows, cols, rank, density] = [40, 30, 3, 0.05];
    const nnz = slNnz(density, rows, cols);
    const w = lowRankPlusSpikes(rows, cols, rank, nnz, 8, 0.3);
    const W = up(w, [rows, cols]);
    const spec = { family: 'sparse+lowrank' as const, rank, density, rounds: 8 };
    const m = (await fam().project(W, spec, { rng: new Rng(1) })) as SparseLowRankMatrix;
    W.dispose();
    const got = Float64Array.from(await tidy(() => m.toDense()).read());
    const err = sref.frobDiff(w, got);
    const lowOnly = lowRankOnlyError(w, rows, cols, rank);
    const sparseOnly = sref.frobDiff(w, sref.topK(w, nnz));
    expect(err).toBeLessThanOrEqual(Math.min(lowOnly, sparseOnly) * (1 + 1e-5));
    // Clearly better than either alone on this matrix.
    expect(err).toBeLessThan(0.5 * Math.min(lowOnly, sparseOnly));
    for (let i = 1; i < m.history.length; i++)
      expect(m.history[i]).toBeLessThanOrEqual(m.history[i - 1] * (1 + 1e-12));
    // The reported error is the one of the returned (f32) matrix.
    expect(m.history[m.history.length - 1]).toBeCloseTo(err / sref.frob(w), 5);
    expect(m.S.nnz).toBe(nnz);
    m.dispose();
  });

  it('recovers an exactly rank-r + density-sparse matrix with large spikes (error ≈ 0)', async () => {
    const [rows, cols, rank, density] = [48, 36, 2, 0.04];
    const nnz = slNnz(density, rows, cols);
    const w = lowRankPlusSpikes(rows, cols, rank, nnz, 20);
    const p = await projectSparseLowRank(
      w,
      rows,
      cols,
      { family: 'sparse+lowrank', rank, density, rounds: 40 },
      new Rng(2),
    );
    const rel = p.history[p.history.length - 1];
    expect(rel).toBeLessThan(1e-6);
    expect(p.history[0]).toBeGreaterThan(1e-3); // it took the alternation to get there
  });

  it('above 256 it uses the seeded randomized SVD and still beats both single structures', async () => {
    const [rows, cols, rank, density] = [257, 260, 2, 0.01];
    const nnz = slNnz(density, rows, cols);
    const w = lowRankPlusSpikes(rows, cols, rank, nnz, 10, 0.05);
    const W = up(w, [rows, cols]);
    const spec = { family: 'sparse+lowrank' as const, rank, density, rounds: 3 };
    const m = (await fam().project(W, spec, { rng: new Rng(3) })) as SparseLowRankMatrix;
    const m2 = (await fam().project(W, spec, { rng: new Rng(3) })) as SparseLowRankMatrix;
    W.dispose();
    const got = Float64Array.from(await tidy(() => m.toDense()).read());
    const err = sref.frobDiff(w, got);
    const lowOnly = lowRankOnlyError(w, rows, cols, rank);
    const sparseOnly = sref.frobDiff(w, sref.topK(w, nnz));
    expect(err).toBeLessThan(0.5 * Math.min(lowOnly, sparseOnly));
    // Same seed, same result.
    expect(m2.history).toEqual(m.history);
    m.dispose();
    m2.dispose();
  });

  it('rejects bad specs with SpecError naming the field', () => {
    const field = (s: { rank: number; density: number; rounds: number }) => {
      try {
        fam().validate({ family: 'sparse+lowrank', ...s }, 6, 4);
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        return (e as SpecError).field;
      }
      return null;
    };
    expect(field({ rank: 5, density: 0.1, rounds: 2 })).toBe('rank');
    expect(field({ rank: 0, density: 0.1, rounds: 2 })).toBe('rank');
    expect(field({ rank: 2, density: 0, rounds: 2 })).toBe('density');
    expect(field({ rank: 2, density: 1.2, rounds: 2 })).toBe('density');
    expect(field({ rank: 2, density: 0.1, rounds: 0 })).toBe('rounds');
    expect(field({ rank: 4, density: 1, rounds: 1 })).toBe(null);
  });
});
