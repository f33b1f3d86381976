import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import {
  maskOfIndex,
  recallRef,
  verticalSlashIndexRef,
  verticalSlashSelectRef,
} from '../reference/attention';
import { Tensor } from '../tensor/tensor';
import { budgetLadder, choosePerHead, evaluatePatterns } from './patterns';
import { syntheticHeads } from './synthetic';

describe('synthetic heads and the per-head pattern search', () => {
  it('synthetic heads are seeded and structured: sinks and the diagonal band carry mass', () => {
    const a = syntheticHeads(3, 256, 16, 7);
    const b = syntheticHeads(3, 256, 16, 7);
    expect(Array.from(a.q.subarray(0, 50))).toEqual(Array.from(b.q.subarray(0, 50)));
    expect(Array.from(syntheticHeads(3, 256, 16, 8).q.subarray(0, 50))).not.toEqual(
      Array.from(a.q.subarray(0, 50)),
    );
    const n = 256;
    const d = 16;
    for (let h = 0; h < 3; h++) {
      const head = {
        q: a.q.subarray(h * n * d, (h + 1) * n * d),
        k: a.k.subarray(h * n * d, (h + 1) * n * d),
        v: a.v.subarray(h * n * d, (h + 1) * n * d),
        n,
        d,
      };
      // A vertical-slash mask of 16 columns and 8 diagonals (≈ 20% of entries) keeps most of the mass.
      const sel = verticalSlashSelectRef(head, 16, 8);
      const recall = recallRef(head, maskOfIndex(verticalSlashIndexRef(n, sel.columns, sel.offsets)));
      expect(recall, `head ${h}`).toBeGreaterThan(0.6);
    }
    expect(() => syntheticHeads(1, 8, 6, 0)).toThrow(/multiple of 4/);
  });

  it('picks per head the highest recall within the density budget', async () => {
    const gpu = await getGpu();
    const [heads, n, d] = [3, 256, 16];
    const syn = syntheticHeads(heads, n, d, 2);
    const q = Tensor.fromArray(gpu, syn.q, [heads, n, d]);
    const k = Tensor.fromArray(gpu, syn.k, [heads, n, d]);
    const cands = [
      ...budgetLadder('a-shape', n),
      ...budgetLadder('vertical-slash', n),
      ...budgetLadder('block-sparse', n),
    ];
    const evals = await evaluatePatterns(q, k, cands);
    const choice = choosePerHead(evals, heads, 0.5);
    for (const c of choice) {
      expect(c.pattern).not.toBeNull();
      expect(c.density).toBeLessThanOrEqual(0.5);
      for (const e of evals)
        if (e.density[c.head] <= 0.5) expect(e.recall[c.head]).toBeLessThanOrEqual(c.recall);
    }
    expect(choosePerHead(evals, heads, 0)[0].pattern).toBeNull();
    q.dispose();
    k.dispose();
  });
});
