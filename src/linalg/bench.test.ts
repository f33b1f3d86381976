import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { benchRsvdVsJacobi } from './bench';

describe('benchRsvdVsJacobi (small size; no time is asserted)', () => {
  it('returns paired timings and accuracy ratios ≥ 1 (Eckart–Young)', async () => {
    const gpu = await getGpu();
    const r = await benchRsvdVsJacobi(gpu, { n: 48, rank: 6, niter: 2, rounds: 2, decay: 0.8 });
    expect(r.jacobiMs).toHaveLength(2);
    expect(r.rsvdMs).toHaveLength(2);
    for (const ms of [...r.jacobiMs, ...r.rsvdMs]) expect(ms).toBeGreaterThan(0);
    expect(r.jacobiErrorRatio).toBeGreaterThan(1 - 1e-4);
    expect(r.jacobiErrorRatio).toBeLessThan(1 + 1e-4);
    expect(r.rsvdErrorRatio).toBeGreaterThan(1 - 1e-4);
    expect(r.rsvdErrorRatio).toBeLessThan(1.01);
    expect(Number.isFinite(r.speedup)).toBe(true);
  });
});
