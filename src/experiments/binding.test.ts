/**
 * Kind `binding` run for real (Dawn): series norm/<binding> over depth and accuracy/<binding> over
 * wrap depth, orthogonal norms exact to f32 and Gaussian ones not, user records accepted, bad
 * configs are InputErrors naming the field.
 */
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { runToResult } from '../runtime/runner';
import { Tensor } from '../tensor/tensor';
import type { BindingSummary } from './binding.schema';
import { InputError } from './envelope';
import { parseConfig } from './schema';

const base = {
  schema: 'smx/experiment@1',
  kind: 'binding',
  seed: 3,
  dim: 16,
  maxDepth: 6,
  trials: 8,
  wrapDepths: [0, 3],
};

describe('binding kind', () => {
  it('norms over depth, retrieval over wrap depth, user records', async () => {
    const gpu = await getGpu();
    const ctx = { gpu, env: { runtime: 'node' as const } };
    const live = Tensor.liveCount();
    const r = await runToResult(base, ctx);
    expect(r.status).toBe('finished');
    expect(Tensor.liveCount(), 'tensors leaked').toBe(live);
    const s = r.summary as BindingSummary;
    expect(s.source).toBe('bundled sample');
    expect(s.bindings.map((b) => b.binding)).toEqual(['orthogonal', 'hadamard', 'gaussian']);
    for (const b of ['orthogonal', 'hadamard', 'gaussian']) {
      expect(r.series[`norm/${b}`].map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(r.series[`accuracy/${b}`].map((p) => p.step)).toEqual([0, 3]);
    }
    const by = Object.fromEntries(s.bindings.map((b) => [b.binding, b]));
    expect(by.orthogonal.maxNormDeviation).toBeLessThan(1e-5);
    expect(by.hadamard.maxNormDeviation).toBeLessThan(1e-5);
    expect(by.gaussian.maxNormDeviation).toBeGreaterThan(0.05);
    for (const b of s.bindings) for (const d of b.byDepth) expect(d.accuracy).toBeGreaterThanOrEqual(0);

    const own = await runToResult(
      {
        ...base,
        bindings: ['orthogonal'],
        records: [{ a: 1, b: { c: 'x' } }, { a: 5, b: { c: 'y' } }, { z: [1, 2] }],
      },
      ctx,
    );
    expect(own.status).toBe('finished');
    expect((own.summary as BindingSummary).records).toBe(3);
    expect((own.summary as BindingSummary).source).toBe('config records');
  }, 120_000);

  it('bad configs name the field', () => {
    const err = (c: unknown) => {
      try {
        parseConfig(c);
      } catch (e) {
        if (e instanceof InputError) return e;
        throw e;
      }
      throw new Error('accepted');
    };
    expect(err({ ...base, dim: 24 }).path).toBe('dim');
    expect(err({ ...base, bindings: ['gaussian', 'gaussian'] }).path).toBe('bindings[1]');
    expect(err({ ...base, records: [1] }).path).toBe('records');
    expect(err({ ...base, wrapDepths: [63] }).message).toMatch(/over 64 levels/);
  });
});
