/**
 * The dense × sparse family (DSFormer reading) against the float64 oracle
 * (src/reference/dense-sparse.ts): toDense and apply on awkward shapes, the gradients of D and —
 * straight through the N:M mask — of the latent S̃ against finite differences, the projection
 * (full k with N = M reproduces W; N < M keeps n of every m in S) and spec validation. Real WebGPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { expectApplyGrads } from '../../tests/unit/grad-check';
import type { Gpu } from '../gpu/device';
import * as ref from '../reference/dense';
import { denseSparseDense } from '../reference/dense-sparse';
import { nmProject } from '../reference/sparse';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import type { DenseSparseMatrix } from './dense-sparse';
import { getFamily } from './registry';
import './dense-sparse';
import { SpecError } from './types';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(15003);
const fam = () => getFamily('dense-sparse');
const spec = (rank: number, n: number, m: number) => ({
  family: 'dense-sparse' as const,
  rank,
  n,
  m,
  rounds: 5,
});

describe('dense-sparse', () => {
  const cases: Array<[number, number, number, number, number, number]> = [
    // rows, cols, k, n, m, batch
    [1, 4, 1, 2, 4, 1],
    [3, 8, 3, 2, 4, 5],
    [17, 12, 5, 1, 4, 3],
    [9, 68, 4, 2, 4, 17],
    [5, 24, 3, 3, 8, 2],
    [6, 6, 2, 3, 3, 4],
  ];
  for (const [rows, cols, k, n, m, batch] of cases)
    it(`${rows}×${cols}, k = ${k}, ${n}:${m}: toDense and apply equal the oracle; dD, dS̃ (straight through)`, async () => {
      const mat = fam().random(gpu, rows, cols, spec(k, n, m), { rng }) as DenseSparseMatrix;
      const d = Float64Array.from(await mat.D.read());
      const sl = Float64Array.from(await mat.S.read());
      const w = denseSparseDense(d, sl, rows, k, cols, n, m);
      const W = tidy(() => mat.toDense());
      expect(ref.relMaxError(await W.read(), w)).toBeLessThan(1e-5);
      W.dispose();
      const x = Float64Array.from(Float32Array.from(rng.normals(batch * cols)));
      const X = Tensor.fromArray(gpu, x, [batch, cols]);
      const Y = tidy(() => mat.apply(X));
      const want = ref.matmul(ref.arr(x, [batch, cols]), ref.arr(w, [rows, cols]), false, true);
      expect(ref.relMaxError(await Y.read(), want.data)).toBeLessThan(1e-5);
      for (const t of [X, Y]) t.dispose();
      // The oracle differentiates D·S in a free dense S at S = mask(S̃): the straight-through gradient.
      const sMasked = nmProject(sl, k, cols, n, m);
      await expectApplyGrads({
        gpu,
        apply: (xt) => mat.apply(xt),
        params: [mat.D, mat.S],
        values: [d, sMasked],
        refApply: (xv, [dv, sv]) => {
          const wv = ref.matmul(ref.arr(dv, [rows, k]), ref.arr(sv, [k, cols]));
          return ref.matmul(ref.arr(xv, [batch, cols]), wv, false, true).data;
        },
        x,
        c: rng.normals(batch * rows),
        batch,
        cols,
        rows,
        tol: 1e-4,
      });
      expect(mat.params).toBe(fam().paramCount(spec(k, n, m), rows, cols));
      mat.dispose();
    });

  it('at full k and N = M the projection reproduces W', async () => {
    for (const [rows, cols] of [
      [6, 8],
      [12, 4],
    ]) {
      const w = Float32Array.from(rng.normals(rows * cols));
      const W = Tensor.fromArray(gpu, w, [rows, cols]);
      const mat = (await fam().project(W, spec(Math.min(rows, cols), 4, 4), { rng })) as DenseSparseMatrix;
      const D = tidy(() => mat.toDense());
      expect(ref.relMaxError(await D.read(), w)).toBeLessThan(1e-5);
      for (const t of [W, D]) t.dispose();
      mat.dispose();
    }
  });

  it('with N < M the projected S keeps n of every m and the error is below the N:M-projected SVD start', async () => {
    const [rows, cols, k] = [16, 16, 8];
    const w = Float32Array.from(rng.normals(rows * cols));
    const W = Tensor.fromArray(gpu, w, [rows, cols]);
    const err = async (rounds: number) => {
      const mat = (await fam().project(
        W,
        { ...spec(k, 2, 4), rounds },
        { rng: new Rng(1) },
      )) as DenseSparseMatrix;
      const sl = await mat.S.read();
      const dense = denseSparseDense(await mat.D.read(), sl, rows, k, cols, 2, 4);
      const masked = nmProject(sl, k, cols, 2, 4);
      for (let g = 0; g < (k * cols) / 4; g++) {
        let nz = 0;
        for (let i = 0; i < 4; i++) if (masked[g * 4 + i] !== 0) nz++;
        expect(nz).toBeLessThanOrEqual(2);
      }
      mat.dispose();
      let num = 0;
      let den = 0;
      for (let i = 0; i < w.length; i++) {
        num += (dense[i] - w[i]) ** 2;
        den += w[i] ** 2;
      }
      return Math.sqrt(num / den);
    };
    const e0 = await err(0);
    const e5 = await err(5);
    expect(e0).toBeLessThan(1);
    expect(e5).toBeLessThan(e0);
    W.dispose();
  });

  it('rejects specs that cannot fit, naming the field', () => {
    const v = (s: ReturnType<typeof spec>, r: number, c: number) => () => fam().validate(s, r, c);
    expect(v(spec(2, 2, 4), 4, 6)).toThrow(SpecError);
    expect(v(spec(2, 2, 4), 4, 6)).toThrow(/m \(4\) must divide the number of columns \(inputs\), 6/);
    expect(v(spec(2, 5, 4), 4, 8)).toThrow(/n must be an integer in \[1, m = 4\]/);
    expect(v(spec(9, 2, 4), 4, 8)).toThrow(/must not exceed min\(out, in\) = 4/);
    expect(v(spec(2, 2, 64), 4, 64)).toThrow(/m must be an integer in \[1, 32\]/);
  });
});
