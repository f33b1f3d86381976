import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { attentionRef, matryoshkaAttentionRef, meanCovRef, symEigRef } from '../reference/attention';
import { relMaxError } from '../reference/dense';
import { addValueMean, kvCompression, kvPca, kvProblem, projectedAttention, relError } from './kv-projection';
import { syntheticHeads } from './synthetic';

describe('KV projection (MatryoshkaKV)', () => {
  const [heads, n, d] = [2, 65, 16];
  const syn = syntheticHeads(heads, n, d, 4);
  const head = (h: number) => ({
    q: syn.q.subarray(h * n * d, (h + 1) * n * d),
    k: syn.k.subarray(h * n * d, (h + 1) * n * d),
    v: syn.v.subarray(h * n * d, (h + 1) * n * d),
    n,
    d,
  });

  it('at r = d equals plain attention; at r < d equals the f64 formula with the oracle PCA', async () => {
    const gpu = await getGpu();
    const pca = kvPca(syn.k, syn.v, heads, n, d);
    const p = kvProblem(gpu, pca, syn.q, syn.k, syn.v);
    const dense = Array.from({ length: heads }, (_, h) => Array.from(attentionRef(head(h)).out)).flat();
    const full = projectedAttention(p, d, d);
    expect(relMaxError(addValueMean(await full.read(), pca), dense)).toBeLessThan(1e-4);
    full.dispose();
    for (const [rK, rV] of [
      [6, 6],
      [3, 9],
    ]) {
      const o = projectedAttention(p, rK, rV);
      const got = addValueMean(await o.read(), pca);
      o.dispose();
      const want = Array.from({ length: heads }, (_, h) => {
        const hr = head(h);
        const ck = meanCovRef(hr.k, n, d);
        const cv = meanCovRef(hr.v, n, d);
        const pk = {
          muK: ck.mean,
          uK: symEigRef(ck.cov, d).vectors,
          muV: cv.mean,
          uV: symEigRef(cv.cov, d).vectors,
        };
        return Array.from(matryoshkaAttentionRef(hr, pk, rK, rV));
      }).flat();
      expect(relMaxError(got, want), `ranks ${rK}/${rV}`).toBeLessThan(1e-4);
    }
    p.dispose();
  });

  it('error falls as the rank grows; compression = 1 − (rK + rV)/2d', async () => {
    const gpu = await getGpu();
    const pca = kvPca(syn.k, syn.v, heads, n, d);
    const p = kvProblem(gpu, pca, syn.q, syn.k, syn.v);
    const dense = Array.from({ length: heads }, (_, h) => Array.from(attentionRef(head(h)).out)).flat();
    const errs: number[] = [];
    for (const r of [2, 4, 8, 12, 16]) {
      const o = projectedAttention(p, r, r);
      errs.push(relError(addValueMean(await o.read(), pca), dense));
      o.dispose();
    }
    for (let i = 1; i < errs.length; i++) expect(errs[i]).toBeLessThanOrEqual(errs[i - 1] + 1e-6);
    expect(errs[errs.length - 1]).toBeLessThan(1e-5);
    expect(errs[0]).toBeGreaterThan(1e-2);
    expect(kvCompression(8, 8, 16)).toBe(0.5);
    expect(() => projectedAttention(p, 0, 4)).toThrow(/rank of K must be an integer from 1 to d = 16, got 0/);
    p.dispose();
  });
});
