import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { svdJacobi } from '../linalg/jacobi';
import { Rng } from '../tensor/rng';
import { createLiveEngine, rankR } from './live';

describe('live recompute', () => {
  it('rankR at full rank rebuilds W; at rank r matches the Eckart–Young error', () => {
    const rng = new Rng(3);
    const m = 17;
    const n = 9;
    const w = Float64Array.from({ length: m * n }, () => rng.normal());
    const svd = svdJacobi(w, m, n);
    const full = rankR(svd, m, n, n);
    for (let i = 0; i < w.length; i++) expect(full[i]).toBeCloseTo(w[i], 9);
    const r = 3;
    const a = rankR(svd, m, n, r);
    let err = 0;
    for (let i = 0; i < w.length; i++) err += (w[i] - a[i]) ** 2;
    let tail = 0;
    for (let k = r; k < svd.k; k++) tail += svd.S[k] ** 2;
    expect(Math.sqrt(err)).toBeCloseTo(Math.sqrt(tail), 9);
  });

  it('computes errors for several families, caches the matrix, and flags a bad spec', async () => {
    const gpu = await getGpu();
    const live = createLiveEngine(async () => gpu);
    const matrix = { source: 'generate', generator: 'gaussian', rows: 16, cols: 16 } as const;
    const methods = [
      { family: 'lowrank', rank: 4 },
      { family: 'blockdiag', blocks: 4 },
      { family: 'sparse', density: 0.25 },
      { family: 'monarch', blocks: 3 },
    ];
    const a = await live.compute({ matrix, seed: 1, methods, focus: 0, heatmapSide: 8 });
    expect(a.spectrum).toHaveLength(16);
    expect(a.methods[0].relFrobError).toBeGreaterThan(0);
    expect(a.methods[0].relFrobError).toBeLessThan(1);
    expect(a.methods[1].params).toBe(64);
    expect(a.methods[2].relFrobError).toBeLessThan(1);
    expect(a.methods[3].error).toMatch(/blocks/);
    expect(a.heatmaps?.diff.rows).toBe(8);
    // A higher rank on the same matrix: lower error, same spectrum (cached SVD).
    const b = await live.compute({ matrix, seed: 1, methods: [{ family: 'lowrank', rank: 8 }], focus: 0 });
    expect(b.spectrum).toEqual(a.spectrum);
    expect(b.methods[0].relFrobError).toBeLessThan(a.methods[0].relFrobError);
    // Full rank: exact.
    const c = await live.compute({ matrix, seed: 1, methods: [{ family: 'lowrank', rank: 16 }], focus: 0 });
    expect(c.methods[0].relFrobError).toBeLessThan(1e-9);
    live.reset();
  });

  it('refuses a matrix over the live size limit', async () => {
    const gpu = await getGpu();
    const live = createLiveEngine(async () => gpu);
    await expect(
      live.compute({
        matrix: { source: 'generate', generator: 'gaussian', rows: 300, cols: 8 },
        seed: 1,
        methods: [{ family: 'lowrank', rank: 2 }],
        focus: 0,
      }),
    ).rejects.toThrow(/256/);
  });
});
