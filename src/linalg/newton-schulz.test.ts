import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { frobenius, maxAbsDiff, transpose64 } from '../reference/linalg';
import { svd as svd64 } from '../reference/lowrank';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { NS_EPS, newtonSchulz5, nsPolynomial } from './newton-schulz';
import { matrixWithSpectrum } from './orthogonal';

async function nsHost(g: Float64Array, m: number, n: number): Promise<Float64Array> {
  const gpu = await getGpu();
  const t = Tensor.fromArray(gpu, g, [m, n]);
  const before = Tensor.liveCount();
  const o = newtonSchulz5(t);
  expect(Tensor.liveCount()).toBe(before + 1); // nothing leaks
  expect(o.shape).toEqual([m, n]);
  const out = Float64Array.from(await o.read());
  o.dispose();
  t.dispose();
  return out;
}

function predicted(g: Float64Array, m: number, n: number): number[] {
  const s = svd64(g, m, n).S;
  const f = frobenius(g) + NS_EPS;
  return Array.from(s, (x) => nsPolynomial(x / f)).sort((a, b) => b - a);
}

describe('newtonSchulz5', () => {
  for (const [m, n] of [
    [48, 64],
    [64, 48],
    [17, 3],
    [3, 17],
    [1, 1],
    [1, 9],
    [33, 33],
  ]) {
    it(`singular values follow p∘5(σ/‖G‖_F) on ${m}×${n}`, async () => {
      const g = Float64Array.from(Float32Array.from(new Rng(m * 31 + n).normals(m * n)));
      const out = await nsHost(g, m, n);
      const got = svd64(out, m, n).S;
      const want = predicted(g, m, n);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-3);
      for (const s of got) expect(s).toBeLessThanOrEqual(1.21);
    });
  }

  it('maps a spread spectrum into the [0.7, 1.21] band and keeps singular vectors', async () => {
    const m = 40;
    const n = 24;
    const sigma = Array.from({ length: n }, (_, i) => 10 * 0.85 ** i);
    const g = Float64Array.from(Float32Array.from(matrixWithSpectrum(m, n, sigma, new Rng(8))));
    const out = await nsHost(g, m, n);
    const svd = svd64(out, m, n);
    const want = predicted(g, m, n);
    for (let i = 0; i < n; i++) expect(Math.abs(svd.S[i] - want[i])).toBeLessThan(1e-3);
    // Largest singular values of G are far enough from zero to land near 1.
    expect(svd.S[0]).toBeLessThanOrEqual(1.21);
    // Same singular subspaces: ‖Gᵀ·out − (Gᵀ·out)ᵀ‖ small relative to its size (GᵀO = V Σ p(Σ) Vᵀ).
    const gto = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += g[k * n + i] * out[k * n + j];
        gto[i * n + j] = s;
      }
    expect(maxAbsDiff(gto, transpose64(gto, n, n)) / frobenius(gto)).toBeLessThan(1e-4);
  });

  it('NS(Gᵀ) = NS(G)ᵀ', async () => {
    const m = 20;
    const n = 36;
    const g = Float64Array.from(Float32Array.from(new Rng(4).normals(m * n)));
    const a = await nsHost(g, m, n);
    const b = await nsHost(transpose64(g, m, n), n, m);
    expect(maxAbsDiff(transpose64(b, n, m), a)).toBeLessThan(1e-6);
  });

  it('nsPolynomial: one step is p(σ) = aσ + bσ³ + cσ⁵', () => {
    expect(nsPolynomial(1, 1)).toBeCloseTo(3.4445 - 4.775 + 2.0315, 12);
    expect(nsPolynomial(0.5, 1)).toBeCloseTo(3.4445 * 0.5 - 4.775 * 0.125 + 2.0315 * 0.03125, 12);
    expect(nsPolynomial(0.3, 0)).toBe(0.3);
  });
});
