/**
 * Kind `sketch` run for real (Dawn): one row per (sketch, m) in config order, the series named
 * linfRatio/<type>, SRHT at m = n reproduces x*, same seed → same figures, and bad sizes are
 * InputErrors naming the field.
 */
import { describe, expect, it } from 'vitest';
import { figures } from '../../tests/unit/experiments/helpers';
import { getGpu } from '../../tests/unit/gpu';
import { runToResult } from '../runtime/runner';
import { Tensor } from '../tensor/tensor';
import { InputError } from './envelope';
import { parseConfig } from './schema';
import type { SketchSummary } from './sketch.schema';

const base = {
  schema: 'smx/experiment@1',
  kind: 'sketch',
  seed: 7,
  problem: { type: 'coherent', n: 64, d: 4, blockStd: 0.05 },
  m: [8, 64],
  trials: 2,
};

function inputError(config: unknown): InputError {
  try {
    parseConfig(config);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('sketch kind', () => {
  it('rows per sketch × m, series linfRatio/<type>, SRHT at m = n gives x*, deterministic', async () => {
    const gpu = await getGpu();
    const ctx = { gpu, env: { runtime: 'node' as const } };
    const live = Tensor.liveCount();
    const r = await runToResult(base, ctx);
    expect(r.status).toBe('finished');
    expect(Tensor.liveCount(), 'tensors leaked').toBe(live);
    const s = r.summary as SketchSummary;
    expect(s.sketches.map((x) => `${x.type}@${x.m}`)).toEqual([
      'gaussian@8',
      'gaussian@64',
      'srht@8',
      'srht@64',
      'countsketch@8',
      'countsketch@64',
      'osnap@8',
      'osnap@64',
    ]);
    for (const t of ['gaussian', 'srht', 'countsketch', 'osnap'])
      expect(r.series[`linfRatio/${t}`].map((p) => p.step)).toEqual([8, 64]);
    const srhtFull = s.sketches.find((x) => x.type === 'srht' && x.m === 64)!;
    expect(srhtFull.l2Error).toBeLessThan(1e-4);
    expect(srhtFull.residualRatio).toBeCloseTo(1, 6);
    for (const row of s.sketches) expect(row.residualRatio).toBeGreaterThanOrEqual(1 - 1e-9);
    // A = [I_4; 0.05·G] with n = 64: the identity rows hold most of the leverage.
    expect(s.problem.maxLeverage).toBeGreaterThan(0.8);
    const again = await runToResult(base, ctx);
    expect(figures(again)).toEqual(figures(r));
  }, 120_000);

  it('bad sizes and duplicate types are InputErrors naming the field', () => {
    expect(inputError({ ...base, m: [8, 65] }).path).toBe('m[1]');
    expect(inputError({ ...base, m: [3] }).message).toMatch(/m = 3 is smaller than d = 4/);
    expect(inputError({ ...base, problem: { type: 'gaussian', n: 4, d: 8 } }).message).toMatch(
      /d = 8 columns exceed the n = 4 rows/,
    );
    expect(inputError({ ...base, sketches: [{ type: 'srht' }, { type: 'srht' }] }).path).toBe(
      'sketches[1].type',
    );
    expect(inputError({ ...base, sketches: [{ type: 'srht', s: 2 }] }).path).toBe('sketches[0].s');
  });
});
