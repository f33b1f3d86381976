import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, schemaErrors } from '../../tests/unit/experiments/helpers';
import { getGpu } from '../../tests/unit/gpu';
import { weightParams } from '../nn/linear';
import { TransformerSpec } from '../nn/transformer.schema';
import { runToResult } from '../runtime/runner';
import type { PretrainSummary } from './pretrain.schema';
import { budgetSpec, linearShapes } from './pretrain.schema';

const TINY = {
  schema: 'smx/experiment@1',
  kind: 'pretrain',
  seed: 4,
  corpus: 'female-names',
  model: { layers: 1, dModel: 16, heads: 2, context: 8 },
  models: [{ family: 'dense' }, { family: 'lowrank' }],
  steps: 6,
  batch: 4,
  evalEvery: 3,
  evalWindows: 4,
  sampleEvery: 3,
  sampleTokens: 8,
};

describe('pretrain', () => {
  it('matches every family to the parameter budget (within 30% of the target where the family can reach it)', () => {
    const m = TransformerSpec.parse({ layers: 2, dModel: 32, heads: 2, context: 16 });
    const shapes = linearShapes(m);
    const dense = shapes.reduce((a, [o, i]) => a + o * i, 0);
    // Monarch's smallest member at n = 32 (blocks 8: 32·(4 + 8)… per factor) is ~40% of dense.
    const monarch = budgetSpec('monarch', m, 0.25);
    expect(monarch).toEqual({ family: 'monarch', blocks: 8 });
    for (const f of ['lowrank', 'blockdiag', 'sparse+lowrank', 'kronecker', 'sparse']) {
      const spec = budgetSpec(f, m, 0.25);
      const n = shapes.reduce((a, [o, i]) => a + weightParams(spec, o, i), 0);
      expect(Math.abs(n / dense - 0.25), `${f}: ${JSON.stringify(spec)} has ${n} of ${dense}`).toBeLessThan(
        0.3 * 0.25,
      );
    }
  });

  it('streams loss/<label> and valLoss/<label>, fills summary.models, and is bit-identical for the same seed', async () => {
    const gpu = await getGpu();
    const metrics: string[] = [];
    const streamed: Record<string, Array<{ step: number; text: string }>> = {};
    const a = await runToResult(TINY, { gpu, env: { runtime: 'node' } }, (ev) => {
      if (ev.type === 'metric') metrics.push(ev.series);
      if (ev.type === 'artifact' && ev.data.type === 'text') streamed[ev.name] = ev.data.entries;
    });
    expect(a.status).toBe('finished');
    expect(schemaErrors('result', a)).toBe('');
    const s = a.summary as PretrainSummary;
    expect(s.models.map((m) => m.label)).toEqual(['dense', expect.stringMatching(/rank/i)]);
    const lr = s.models[1].label;
    expect(a.series['loss/dense'].map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(a.series[`valLoss/${lr}`].map((p) => p.step)).toEqual([3, 6]);
    // metrics arrive while it runs: the first model's losses before the second model's
    expect(metrics.indexOf('loss/dense')).toBeLessThan(metrics.indexOf(`loss/${lr}`));
    for (const m of s.models) {
      expect(m.finalLoss).toBe(a.series[`loss/${m.label}`][5].value);
      expect(m.finalValLoss).toBe(a.series[`valLoss/${m.label}`][1].value);
      expect(m.msPerStep).toBeGreaterThan(0);
      expect(m.tokensPerSecond).toBeCloseTo((4 * 8 * 1000) / m.msPerStep, 6);
      // text samples every sampleEvery steps and after the last, streamed as they are taken
      expect(m.samples?.map((x) => x.step)).toEqual([3, 6]);
      for (const x of m.samples ?? []) expect(x.text.length).toBe(8);
      expect(streamed[`samples/${m.label}`]).toEqual(m.samples);
      expect(m.sample).toBe(m.samples?.[1].text);
    }
    expect(s.models[1].params).toBeLessThan(s.models[0].params);
    const b = await runToResult(TINY, { gpu, env: { runtime: 'node' } });
    // Loss curves bit-identical; the tokensPerSecond series are timings (timingSeries).
    const curves = (r: typeof a) =>
      Object.entries(r.series).filter(([k]) => !k.startsWith('tokensPerSecond/'));
    expect(curves(b)).toEqual(curves(a));
    expect(curves(a).length).toBe(4);
    // seeded sampling: the same samples
    expect((b.summary as PretrainSummary).models.map((m) => m.samples)).toEqual(
      s.models.map((m) => m.samples),
    );
  }, 120_000);

  it('bad configs exit 2 naming the field', async () => {
    const file = (c: unknown) => async () => new TextEncoder().encode(JSON.stringify(c));
    const cases: Array<[unknown, RegExp]> = [
      [{ ...TINY, model: { ...TINY.model, context: 100000 } }, /model\.context/],
      [{ ...TINY, corpus: 'bible' }, /corpus/],
      [{ ...TINY, models: [{ linear: { family: 'lowrank', rank: 99 } }] }, /models\[0\]\.linear\.rank/],
      [{ ...TINY, models: [{ linear: { family: 'blockdiag', blocks: 3 } }] }, /models\[0\]\.linear\.blocks/],
      [{ ...TINY, model: { ...TINY.model, heads: 3 } }, /model\.heads/],
    ];
    for (const [config, path] of cases) {
      const r = await cli(['/v/c.json'], { readFile: file(config) });
      expect(r.code, JSON.stringify(config)).toBe(2);
      expect(r.stderr).toMatch(path);
    }
  }, 60_000);

  it('a diverging run stops naming the step, status failed, the series kept', async () => {
    const gpu = await getGpu();
    const r = await runToResult(
      {
        ...TINY,
        models: [{ family: 'dense' }],
        steps: 40,
        clip: 0,
        optimizer: { name: 'sgd', lr: 10, momentum: 0.99 },
      },
      { gpu, env: { runtime: 'node' } },
    );
    expect(r.status).toBe('failed');
    expect(r.error?.message).toMatch(
      /dense: training diverged at step \d+: (the loss|the gradient of [\w.]+) is not finite/,
    );
    const step = Number(/step (\d+)/.exec(r.error?.message ?? '')?.[1]);
    expect(r.series['loss/dense'].length).toBe(step);
  }, 120_000);

  it('the preset is listed and valid', () => {
    const p = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../public/experiments/pretrain.json'), 'utf8'),
    );
    expect(schemaErrors('config', p)).toBe('');
  });
});
