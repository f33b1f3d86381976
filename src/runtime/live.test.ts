import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { loadMatrix } from '../data/sources';
import { svdJacobi } from '../linalg/jacobi';
import { offBlockMass } from '../reference/blockdiag';
import { eckartYoungError, svd as svd64 } from '../reference/lowrank';
import { frobDiff, topK } from '../reference/sparse';
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
    // The tail from the oracle's own SVD, not the svdJacobi result rankR was given.
    expect(Math.sqrt(err)).toBeCloseTo(eckartYoungError(svd64(w, m, n).S, r), 9);
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
    // The same matrix, generated the way the live engine does (stream 2·seed + 1), and its f64 oracle
    // figures: spectrum, Eckart–Young tail, off-block mass, best 64-sparse error.
    const W = (await loadMatrix(matrix, { rng: new Rng(1 * 2 + 1) })).data;
    const sv = svd64(W, 16, 16).S;
    const fro = Math.hypot(...sv);
    for (let i = 0; i < 16; i++) expect(Math.abs(a.spectrum[i] - sv[i]), `σ${i}`).toBeLessThan(1e-9 * sv[0]);
    expect(a.methods[0].relFrobError).toBeCloseTo(eckartYoungError(sv, 4) / fro, 4);
    expect(a.methods[1].relFrobError).toBeCloseTo(
      Math.sqrt(offBlockMass({ data: W, shape: [16, 16] }, { nb: 4, R: 4, K: 4 })) / fro,
      4,
    );
    expect(a.methods[2].relFrobError).toBeCloseTo(frobDiff(W, topK(W, 64)) / fro, 4);
    expect(a.methods[0].relFrobError).toBeGreaterThan(0.1);
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
