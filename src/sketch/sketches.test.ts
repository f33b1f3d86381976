/**
 * Sketches and sketched least squares against the f64 oracle (src/reference/sketch.ts): S·A on the
 * GPU equals the densely formed S times A on awkward shapes; E[SᵀS] = I over seeds; with m = n the
 * sketched solution is x*; bad sizes are clear errors. Real WebGPU (Dawn on SwiftShader here).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFlatCounts, getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { relMaxError } from '../reference/dense';
import { gram64, lstsqNormal, mm64, sketchDense, sketchedLstsqRef } from '../reference/sketch';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { checkLstsqShape, lstsqErrors, pinvNorm, sketchedLstsq, solveLstsq, uploadAb } from './lstsq';
import { applySketch, drawSketch, SKETCH_TYPES } from './sketches';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(15002);

describe('sketches', () => {
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [3, 2, 2],
    [17, 3, 5],
    [65, 5, 17],
    [100, 4, 33],
  ];
  for (const type of SKETCH_TYPES)
    for (const [n, d, m] of shapes)
      it(`${type}: S·A on the GPU equals the dense oracle (n = ${n}, d = ${d}, m = ${m})`, async () => {
        const p = drawSketch(type, m, n, rng.fork(), { s: Math.min(3, m) });
        const a = Float32Array.from(rng.normals(n * d));
        const A = Tensor.fromArray(gpu, a, [n, d]);
        const SA = applySketch(p, A);
        expect(SA.shape).toEqual([m, d]);
        expect(relMaxError(await SA.read(), mm64(sketchDense(p), m, n, a, d))).toBeLessThan(1e-5);
        A.dispose();
        SA.dispose();
      });

  it('keeps flat counts of live tensors and pooled buffers over repeated sketches (scratch under tidy)', async () => {
    const A = Tensor.fromArray(gpu, Float32Array.from(rng.normals(40 * 3)), [40, 3]);
    const sketches = SKETCH_TYPES.map((type) => drawSketch(type, 8, 40, new Rng(7), { s: 2 }));
    const round = async () => {
      for (const p of sketches) tidy(() => void applySketch(p, A));
      await gpu.sync();
    };
    await expectFlatCounts(gpu, round);
    A.dispose();
  });

  // E[SᵀS] = I. Every entry of SᵀS has variance ≤ 2/m for these sketches (Gaussian diagonal: 2/m;
  // off-diagonal entries and the SRHT / sparse ones: ≤ 1/m), so the mean over K seeds is within
  // 6·√(2/(m·K)) of I in every entry with overwhelming probability (a 6σ bound on each of n² entries).
  for (const type of SKETCH_TYPES)
    it(`${type}: E[SᵀS] = I over 400 seeds, every entry within 6σ`, () => {
      const n = 12;
      const m = 6;
      const K = 400;
      const mean = new Float64Array(n * n);
      for (let k = 0; k < K; k++) {
        const g = gram64(sketchDense(drawSketch(type, m, n, new Rng(1000 + k), { s: 2 })), m, n);
        for (let i = 0; i < n * n; i++) mean[i] += g[i] / K;
      }
      let worst = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(mean[i * n + j] - (i === j ? 1 : 0)));
      expect(worst).toBeLessThan(6 * Math.sqrt(2 / (m * K)));
    });

  it('the sparse sketches have exactly unit columns (SᵀS diagonal = 1 for every draw)', () => {
    for (const type of ['countsketch', 'osnap'] as const) {
      const g = gram64(sketchDense(drawSketch(type, 5, 9, new Rng(3), { s: 3 })), 5, 9);
      for (let i = 0; i < 9; i++) expect(g[i * 9 + i]).toBeCloseTo(1, 12);
    }
  });

  it('rejects m > n, m < 1 and an OSNAP s > m, naming the sizes', () => {
    expect(() => drawSketch('gaussian', 9, 8, rng)).toThrow(/m = 9 sketch rows exceed the n = 8 rows/);
    expect(() => drawSketch('srht', 0, 8, rng)).toThrow(ShapeError);
    expect(() => drawSketch('osnap', 3, 8, rng, { s: 4 })).toThrow(/s = 4 .* \[1, m = 3\]/);
  });
});

describe('least squares', () => {
  it('solveLstsq (Householder QR) equals the normal-equations oracle', () => {
    for (const [n, d] of [
      [1, 1],
      [17, 3],
      [65, 5],
    ]) {
      const a = rng.normals(n * d);
      const b = rng.normals(n);
      expect(relMaxError(solveLstsq(a, n, d, b), lstsqNormal(a, n, d, b))).toBeLessThan(1e-10);
    }
  });

  for (const type of SKETCH_TYPES)
    it(`${type}: the GPU-sketched solution equals the oracle's with the same S`, async () => {
      const [n, d, m] = [65, 4, 24];
      const a = Float32Array.from(rng.normals(n * d));
      const b = Float32Array.from(rng.normals(n));
      const p = drawSketch(type, m, n, rng.fork());
      const ab = uploadAb(gpu, a, n, d, b);
      const x = await sketchedLstsq(p, ab);
      ab.dispose();
      expect(relMaxError(x, sketchedLstsqRef(p, a, d, b))).toBeLessThan(1e-4);
    });

  it('SRHT with m = n is orthogonal: x′ = x* for any b (nonzero residual)', async () => {
    const [n, d] = [64, 5];
    const a = Float32Array.from(rng.normals(n * d));
    const b = Float32Array.from(rng.normals(n));
    const xStar = solveLstsq(a, n, d, b);
    const ab = uploadAb(gpu, a, n, d, b);
    const x = await sketchedLstsq(drawSketch('srht', n, n, rng.fork()), ab);
    ab.dispose();
    const e = lstsqErrors(a, n, d, b, x, xStar, pinvNorm(a, n, d));
    expect(e.l2Error).toBeLessThan(1e-5);
    expect(e.residualRatio).toBeCloseTo(1, 8);
  });

  for (const type of SKETCH_TYPES)
    it(`${type} with m = n recovers x* when b lies in range(A)`, async () => {
      const [n, d] = [40, 4];
      const a = Float32Array.from(rng.normals(n * d));
      const xTrue = rng.normals(d);
      const b = Float32Array.from(mm64(a, n, d, xTrue, 1));
      const xStar = solveLstsq(a, n, d, b);
      const ab = uploadAb(gpu, a, n, d, b);
      const x = await sketchedLstsq(drawSketch(type, n, n, rng.fork()), ab);
      ab.dispose();
      expect(relMaxError(x, xStar)).toBeLessThan(1e-4);
    });

  it('a Gaussian sketch with m = n ≠ an isometry: x′ ≠ x* when b is off range(A) (why only SRHT is exact)', async () => {
    const [n, d] = [32, 3];
    const a = Float32Array.from(rng.normals(n * d));
    const b = Float32Array.from(rng.normals(n));
    const ab = uploadAb(gpu, a, n, d, b);
    const x = await sketchedLstsq(drawSketch('gaussian', n, n, rng.fork()), ab);
    ab.dispose();
    expect(relMaxError(x, solveLstsq(a, n, d, b))).toBeGreaterThan(1e-3);
  });

  it('rejects d > n, m > n and m < d, naming the sizes', () => {
    expect(() => checkLstsqShape(3, 5)).toThrow(/d = 5 columns exceed the n = 3 rows/);
    expect(() => checkLstsqShape(10, 2, 11)).toThrow(/m = 11 exceeds n = 10/);
    expect(() => checkLstsqShape(10, 4, 3)).toThrow(/m = 3 sketch rows are fewer than the d = 4/);
    expect(() => solveLstsq(new Float64Array(15), 3, 5, new Float64Array(3))).toThrow(ShapeError);
  });
});
