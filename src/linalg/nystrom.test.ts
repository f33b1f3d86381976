import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { ShapeError } from '../gpu/errors';
import {
  frobenius,
  fromFactors,
  nystromRef,
  orthonormalityError,
  symEigenvaluesBisect,
} from '../reference/linalg';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { type NystromResult, nystrom } from './nystrom';
import { randomOrthonormal } from './orthogonal';

const f32 = (a: Float64Array) => Float64Array.from(Float32Array.from(a));

function psd(n: number, eig: number[], seed: number): Float64Array {
  const U = randomOrthonormal(n, eig.length, new Rng(seed));
  return f32(fromFactors(U, eig, U, n, n, eig.length));
}

async function dense(res: NystromResult, n: number): Promise<{ ahat: Float64Array; U: Float64Array }> {
  const U = Float64Array.from(await res.U.read());
  return { ahat: fromFactors(U, res.S, U, n, n, res.rank), U };
}

function relErr(a: Float64Array, b: Float64Array): number {
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  return frobenius(d) / frobenius(b);
}

describe('nystrom', () => {
  const n = 64;
  const eig = [5, 3, 2, 1, 0.5];
  const a = psd(n, eig, 10);

  for (const sketch of ['gaussian', 'columns'] as const)
    for (const l of [5, 8, 16]) {
      it(`${sketch} sketch ${l} ≥ rank 5 reproduces a rank-5 PSD matrix`, async () => {
        const gpu = await getGpu();
        const t = Tensor.fromArray(gpu, a, [n, n]);
        const res = await nystrom(t, l, { rng: new Rng(l), sketch });
        t.dispose();
        expect(res.rank).toBe(5);
        expect(res.U.shape).toEqual([n, 5]);
        const { ahat, U } = await dense(res, n);
        expect(relErr(ahat, a)).toBeLessThan(1e-4);
        for (let i = 0; i < 5; i++) expect(Math.abs(res.S[i] - eig[i]) / eig[i]).toBeLessThan(1e-4);
        expect(orthonormalityError(U, n, 5)).toBeLessThan(1e-5);
        if (sketch === 'columns') expect(res.columns).toHaveLength(l);
        res.U.dispose();
      });
    }

  it('matches the f64 oracle on a full-rank PSD matrix (Gaussian and column sketches), A − Â is PSD', async () => {
    const gpu = await getGpu();
    const m = 40;
    const spec = Array.from({ length: m }, (_, i) => 1 / (1 + i));
    const b = psd(m, spec, 3);
    const t = Tensor.fromArray(gpu, b, [m, m]);
    const l = 10;
    // Gaussian: Ω is rng.normals(n·l) (documented), so the oracle can rebuild it from the seed.
    const g = await nystrom(t, l, { rng: new Rng(99), sketch: 'gaussian' });
    const omega = f32(new Rng(99).normals(m * l));
    const refG = nystromRef(b, m, omega, l);
    const gh = (await dense(g, m)).ahat;
    expect(relErr(gh, refG)).toBeLessThan(1e-3);
    const c = await nystrom(t, l, { rng: new Rng(5), sketch: 'columns' });
    const sel = new Float64Array(m * l);
    c.columns?.forEach((col, j) => {
      sel[col * l + j] = 1;
    });
    const ch = (await dense(c, m)).ahat;
    expect(relErr(ch, nystromRef(b, m, sel, l))).toBeLessThan(1e-3);
    // Â ⪯ A: eigenvalues of A − Â are ≥ 0 (up to f32 noise), and it is a real approximation.
    const diff = new Float64Array(m * m);
    for (let i = 0; i < m * m; i++) diff[i] = b[i] - gh[i];
    const ev = symEigenvaluesBisect(diff, m);
    expect(ev[m - 1]).toBeGreaterThan(-1e-4);
    expect(ev[0]).toBeGreaterThan(1e-3);
    g.U.dispose();
    c.U.dispose();
    t.dispose();
  });

  it('rank option truncates; seeded; bad input is rejected', async () => {
    const gpu = await getGpu();
    const t = Tensor.fromArray(gpu, a, [n, n]);
    const r = await nystrom(t, 8, { rng: new Rng(1), rank: 2 });
    expect(r.rank).toBe(2);
    expect(r.S[0]).toBeCloseTo(5, 3);
    expect(r.S[1]).toBeCloseTo(3, 3);
    const r2 = await nystrom(t, 8, { rng: new Rng(1), rank: 2 });
    expect(await r2.U.read()).toEqual(await r.U.read());
    r.U.dispose();
    r2.U.dispose();
    await expect(nystrom(t, 0, { rng: new Rng(1) })).rejects.toThrow(ShapeError);
    const rect = Tensor.zeros(gpu, [4, 5]);
    await expect(nystrom(rect, 2, { rng: new Rng(1) })).rejects.toThrow(/square/);
    rect.dispose();
    const asym = Tensor.fromArray(gpu, [1, 5, -5, 1], [2, 2]);
    await expect(nystrom(asym, 2, { rng: new Rng(1), sketch: 'columns' })).rejects.toThrow(/symmetric/);
    asym.dispose();
    t.dispose();
  });
});
