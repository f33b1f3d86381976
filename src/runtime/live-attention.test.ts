/**
 * The attention view's live budget engine on Dawn: for the same input spec and pattern it gives the
 * run's own figures (sparse-attention summary), a full budget is dense (recall 1, error ≤ 1e-4),
 * inputs are cached per spec and freed on change/reset, bad requests → clear errors.
 */
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { SparseAttentionSummary } from '../experiments/sparse-attention.schema';
import { Tensor } from '../tensor/tensor';
import { createAttentionLiveEngine } from './live-attention';
import type { AttentionLiveRequest } from './live-protocol';
import { runToResult } from './runner';

const spec = { input: 'synthetic' as const, heads: 2, n: 256, d: 8, seed: 5 };
const patterns: AttentionLiveRequest['pattern'][] = [
  { type: 'a-shape', init: 3, local: 37 },
  { type: 'vertical-slash', vertical: 21, slash: 9 },
  { type: 'block-sparse', topk: 1 },
];

describe('live attention engine', () => {
  it('matches the run for the same budget; full budget is dense; frees its inputs', async () => {
    const gpu = await getGpu();
    const before = Tensor.liveCount();
    const run = await runToResult(
      {
        schema: 'smx/experiment@1',
        kind: 'sparse-attention',
        ...spec,
        patterns,
        curves: false,
        timing: false,
      },
      { gpu, env: { runtime: 'node' } },
    );
    expect(run.status, JSON.stringify(run.error)).toBe('finished');
    const s = run.summary as SparseAttentionSummary;
    const live = createAttentionLiveEngine(async () => gpu);
    for (let i = 0; i < patterns.length; i++) {
      const r = await live.compute({ ...spec, head: 1, pattern: patterns[i] });
      const want = s.patterns[i];
      expect(r.label).toBe(want.label);
      // The run rounds to 6 significant digits (sig); same kernels, same inputs.
      expect(r.recall).toBeCloseTo(want.recall, 5);
      expect(r.density).toBeCloseTo(want.density, 5);
      expect(Math.abs(r.relOutputError - want.relOutputError)).toBeLessThanOrEqual(
        1e-5 * want.relOutputError + 1e-7,
      );
      for (let h = 0; h < spec.heads; h++) {
        expect(r.headRecall[h]).toBeCloseTo(want.headRecall[h], 5);
        expect(r.headDensity[h]).toBeCloseTo(want.headDensity[h], 5);
      }
      expect(r.recall).toBeGreaterThan(0);
      expect(r.recall).toBeLessThanOrEqual(1 + 1e-6);
      if (patterns[i].type === 'block-sparse') expect(r.recall).toBeLessThan(0.999);
      expect(r.mask.values.length).toBe(r.mask.rows * r.mask.cols);
    }
    // Cached per spec: 3 inputs + the dense lse stay alive between requests.
    expect(Tensor.liveCount()).toBe(before + 4);
    const full = await live.compute({ ...spec, head: 0, pattern: { type: 'block-sparse', topk: 1_000_000 } });
    expect(full.recall).toBeCloseTo(1, 5);
    expect(full.density).toBeCloseTo(1, 6);
    expect(full.relOutputError).toBeLessThanOrEqual(1e-4);
    const fullA = await live.compute({
      ...spec,
      head: 0,
      pattern: { type: 'a-shape', init: 0, local: 1_000_000 },
    });
    expect(fullA.recall).toBeCloseTo(1, 5);
    expect(fullA.relOutputError).toBeLessThanOrEqual(1e-4);
    // A new spec replaces the cached inputs (no growth); reset frees them.
    await live.compute({ ...spec, seed: 6, head: 0, pattern: patterns[0] });
    expect(Tensor.liveCount()).toBe(before + 4);
    await expect(live.compute({ ...spec, head: 2, pattern: patterns[0] })).rejects.toThrow(/head 2/);
    await expect(
      live.compute({ ...spec, head: 0, pattern: { type: 'block-sparse', topk: 0 } }),
    ).rejects.toThrow(/patterns\.0\.topk/);
    live.reset();
    expect(Tensor.liveCount()).toBe(before);
  });
});
