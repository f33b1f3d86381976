import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { ShapeError } from '../gpu/errors';
import { fromFactors, orthonormalityError } from '../reference/linalg';
import { svd as svd64 } from '../reference/lowrank';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { matrixWithSpectrum } from './orthogonal';
import { type GpuSvd, randomizedSvd, truncatedSvd } from './rsvd';

/** Read the factors back and measure ‖W − U·diag(S)·Vᵀ‖_F in f64. */
async function residual(w: Float64Array, m: number, n: number, svd: GpuSvd) {
  const r = svd.S.length;
  const U = Float64Array.from(await svd.U.read());
  const V = Float64Array.from(await svd.V.read());
  const approx = fromFactors(U, svd.S, V, m, n, r);
  let e = 0;
  for (let i = 0; i < m * n; i++) e += (w[i] - approx[i]) ** 2;
  return { err: Math.sqrt(e), U, V };
}

/**
 * Eckart–Young optimum sqrt(Σ_{i>r} σ_i²) of the f32-rounded matrix, from the oracle's own f64 SVD
 * (src/reference/lowrank.ts, not the svdJacobi under test).
 */
function optimum(w: Float64Array, m: number, n: number, r: number) {
  const s = svd64(w, m, n).S;
  let t = 0;
  for (let i = r; i < s.length; i++) t += s[i] ** 2;
  return { opt: Math.sqrt(t), s };
}

const f32 = (a: Float64Array) => Float64Array.from(Float32Array.from(a));

function dispose(s: GpuSvd) {
  s.U.dispose();
  s.V.dispose();
}

describe('truncatedSvd exact', () => {
  for (const [m, n, r] of [
    [64, 48, 8],
    [17, 33, 5],
    [1, 5, 1],
    [9, 9, 9],
  ]) {
    it(`${m}×${n} rank ${r} reaches the Eckart–Young optimum`, async () => {
      const gpu = await getGpu();
      const w = f32(new Rng(m * 100 + n).normals(m * n));
      const t = Tensor.fromArray(gpu, w, [m, n]);
      const svd = await truncatedSvd(t, r, { method: 'auto' });
      t.dispose();
      expect(svd.method).toBe('exact');
      expect(svd.U.shape).toEqual([m, r]);
      expect(svd.V.shape).toEqual([n, r]);
      const { opt, s } = optimum(w, m, n, r);
      const { err, U, V } = await residual(w, m, n, svd);
      const scale = s[0];
      expect(Math.abs(err - opt)).toBeLessThan(1e-4 * Math.max(opt, 1e-3 * scale));
      for (let i = 0; i < r; i++) expect(Math.abs(svd.S[i] - s[i]), `σ${i}`).toBeLessThan(1e-10 * scale);
      expect(orthonormalityError(U, m, r)).toBeLessThan(1e-6);
      expect(orthonormalityError(V, n, r)).toBeLessThan(1e-6);
      dispose(svd);
    });
  }
});

describe('randomizedSvd', () => {
  const m = 128;
  const n = 96;
  const sigma = Array.from({ length: n }, (_, i) => 0.8 ** i);
  const w = f32(matrixWithSpectrum(m, n, sigma, new Rng(2024)));

  it('niter ≥ 2 is within 1% of the optimum on a decaying spectrum, never below it', async () => {
    const gpu = await getGpu();
    const t = Tensor.fromArray(gpu, w, [m, n]);
    const r = 10;
    const { opt, s } = optimum(w, m, n, r);
    for (const niter of [2, 4]) {
      const svd = await randomizedSvd(t, r, { niter, oversample: 10, rng: new Rng(7) });
      expect(svd.U.shape).toEqual([m, r]);
      expect(svd.V.shape).toEqual([n, r]);
      const { err, U, V } = await residual(w, m, n, svd);
      expect(err).toBeLessThan(1.01 * opt);
      expect(err).toBeGreaterThan(opt * (1 - 1e-4));
      for (let i = 0; i < r; i++) expect(Math.abs(svd.S[i] - s[i]) / s[i]).toBeLessThan(1e-3);
      for (let i = 1; i < r; i++) expect(svd.S[i]).toBeLessThanOrEqual(svd.S[i - 1]);
      expect(orthonormalityError(U, m, r)).toBeLessThan(1e-4);
      expect(orthonormalityError(V, n, r)).toBeLessThan(1e-4);
      dispose(svd);
    }
    t.dispose();
  });

  it('same seed gives bit-identical factors; another seed gives other (equally good) ones', async () => {
    const gpu = await getGpu();
    const t = Tensor.fromArray(gpu, w, [m, n]);
    const a = await randomizedSvd(t, 6, { niter: 2, rng: new Rng(11) });
    const b = await randomizedSvd(t, 6, { niter: 2, rng: new Rng(11) });
    const c = await randomizedSvd(t, 6, { niter: 2, rng: new Rng(12) });
    expect(await b.U.read()).toEqual(await a.U.read());
    expect(await b.V.read()).toEqual(await a.V.read());
    expect(b.S).toEqual(a.S);
    expect(await c.U.read()).not.toEqual(await a.U.read());
    const ea = (await residual(w, m, n, a)).err;
    const ec = (await residual(w, m, n, c)).err;
    expect(Math.abs(ea - ec) / ea).toBeLessThan(0.01);
    for (const s of [a, b, c]) dispose(s);
    t.dispose();
  });

  it('wide matrix, rank = min(m, n), and truncatedSvd routing', async () => {
    const gpu = await getGpu();
    const wm = 24;
    const wn = 70;
    const ww = f32(new Rng(3).normals(wm * wn));
    const t = Tensor.fromArray(gpu, ww, [wm, wn]);
    // Full rank: the sketch spans the whole row space, so the result is exact up to f32.
    const full = await truncatedSvd(t, wm, { method: 'randomized', niter: 1, rng: new Rng(1) });
    expect(full.method).toBe('randomized');
    const { err } = await residual(ww, wm, wn, full);
    const { s } = optimum(ww, wm, wn, wm);
    expect(err).toBeLessThan(1e-5 * s[0] * Math.sqrt(wm * wn));
    dispose(full);
    const part = await truncatedSvd(t, 4, { method: 'randomized', niter: 3, rng: new Rng(1) });
    const { opt } = optimum(ww, wm, wn, 4);
    const pe = (await residual(ww, wm, wn, part)).err;
    expect(pe).toBeGreaterThan(opt * (1 - 1e-4));
    expect(pe).toBeLessThan(opt * 1.05);
    dispose(part);
    await expect(truncatedSvd(t, 4, { method: 'randomized' })).rejects.toThrow(/rng/);
    await expect(truncatedSvd(t, 25, { method: 'exact' })).rejects.toThrow(ShapeError);
    await expect(randomizedSvd(t, 0, { rng: new Rng(1) })).rejects.toThrow(/rank/);
    t.dispose();
  });
});
