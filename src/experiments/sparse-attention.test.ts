/**
 * Kinds `sparse-attention` and `kv-projection` run for real (Dawn): figures against the f64 oracle
 * on the same seeded synthetic heads, contract field names, no leaked tensors, clear InputErrors.
 */
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { syntheticHeads } from '../attention/synthetic';
import { aShapeIndexRef, attentionRef, densityRef, maskOfIndex, recallRef } from '../reference/attention';
import { runToResult } from '../runtime/runner';
import { Tensor } from '../tensor/tensor';
import { InputError } from './envelope';
import type { KvProjectionSummary } from './kv-projection.schema';
import { parseConfig } from './schema';
import type { SparseAttentionSummary } from './sparse-attention.schema';

const sparseBase = {
  schema: 'smx/experiment@1',
  kind: 'sparse-attention',
  seed: 3,
  heads: 1,
  n: 100,
  d: 8,
  patterns: [
    { type: 'dense' },
    { type: 'a-shape', init: 2, local: 30 },
    { type: 'block-sparse', topk: 1000000 },
  ],
  curves: false,
  maxDensity: 0.9,
  warmup: 0,
  repeats: 5,
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

describe('sparse-attention and kv-projection kinds', () => {
  it('sparse-attention: recall and density equal the oracle; a full budget is dense; no leak', async () => {
    const gpu = await getGpu();
    const ctx = { gpu, env: { runtime: 'node' as const } };
    const live = Tensor.liveCount();
    const r = await runToResult(sparseBase, ctx);
    expect(r.status, JSON.stringify(r.error)).toBe('finished');
    const s = r.summary as SparseAttentionSummary;
    expect(s.patterns.map((p) => p.type)).toEqual(['dense', 'a-shape', 'block-sparse']);
    for (const p of s.patterns)
      expect(Object.keys(p)).toEqual(
        expect.arrayContaining([
          'label',
          'type',
          'density',
          'recall',
          'relOutputError',
          'indexMs',
          'sparseMs',
          'denseMs',
        ]),
      );
    const syn = syntheticHeads(1, 100, 8, 3);
    const head = { q: syn.q, k: syn.k, v: syn.v, n: 100, d: 8 };
    const mask = maskOfIndex(aShapeIndexRef(100, 2, 30));
    expect(s.patterns[1].recall).toBeCloseTo(recallRef(head, mask), 4);
    expect(s.patterns[1].density).toBeCloseTo(densityRef(mask, 100), 5);
    expect(s.patterns[2].relOutputError).toBeLessThan(1e-5);
    expect(s.patterns[2].recall).toBeCloseTo(1, 4);
    expect(s.search?.length).toBe(1);
    const map = r.artifacts.map;
    expect(map?.type === 'matrix' && map.rows).toBe(64);
    expect(attentionRef(head).out.length).toBe(800);
    expect(Tensor.liveCount()).toBe(live);
  });

  it('kv-projection: r = d is exact, compression per pair, explained variance reaches 1', async () => {
    const gpu = await getGpu();
    const ctx = { gpu, env: { runtime: 'node' as const } };
    const r = await runToResult(
      {
        schema: 'smx/experiment@1',
        kind: 'kv-projection',
        seed: 1,
        heads: 2,
        n: 40,
        d: 8,
        ranks: [2, 8, { k: 8, v: 4 }],
      },
      ctx,
    );
    expect(r.status, JSON.stringify(r.error)).toBe('finished');
    const s = r.summary as KvProjectionSummary;
    expect(s.ranks.map((x) => [x.rank, x.vRank, x.compression])).toEqual([
      [2, 2, 0.75],
      [8, 8, 0],
      [8, 4, 0.25],
    ]);
    expect(s.ranks[1].relOutputError).toBeLessThan(1e-5);
    expect(s.ranks[0].relOutputError).toBeGreaterThan(s.ranks[2].relOutputError);
    expect(s.kVariance[7]).toBeCloseTo(1, 6);
  });

  it('bad configs are InputErrors naming the field', () => {
    expect(inputError({ ...sparseBase, d: 10 }).path).toBe('d');
    expect(inputError({ ...sparseBase, patterns: [{ type: 'a-shape', init: 1 }] }).path).toBe(
      'patterns[0].local',
    );
    expect(inputError({ ...sparseBase, n: 20000 }).path).toBe('n');
    expect(
      inputError({ schema: 'smx/experiment@1', kind: 'kv-projection', d: 16, ranks: [4, { k: 17, v: 4 }] })
        .message,
    ).toMatch(/ranks\[1\]/);
    expect(inputError({ schema: 'smx/experiment@1', kind: 'kv-projection', d: 16, ranks: [20] }).path).toBe(
      'ranks[0]',
    );
  });
});
