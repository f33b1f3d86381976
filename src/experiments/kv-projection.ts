/**
 * Kind `kv-projection` (MatryoshkaKV): seeded synthetic heads, per-head PCA of K and V, causal
 * attention at each K/V rank pair by the exact formula (src/attention/kv-projection.ts) against the
 * fused full attention. Reports the relative output error and the KV-cache compression per pair,
 * the explained-variance curves of K and V, and the series error/<rank>.
 */
import { fusedForward } from '../attention/fused';
import { attentionInputs } from '../attention/inputs';
import {
  addValueMean,
  kvCompression,
  kvPca,
  kvProblem,
  projectedAttention,
  relError,
} from '../attention/kv-projection';
import { Tensor } from '../tensor/tensor';
import { defineExperiment, type KindEvent, throwIfAborted } from './envelope';
import { type KvProjectionSummary, kvProjectionSchema, pair } from './kv-projection.schema';
import { sig } from './measure';

export { KvProjectionConfig, KvProjectionSummary } from './kv-projection.schema';

function explained(eig: Float64Array, heads: number, d: number): number[] {
  const out = new Array(d).fill(0);
  for (let h = 0; h < heads; h++) {
    let total = 0;
    for (let t = 0; t < d; t++) total += Math.max(0, eig[h * d + t]);
    let acc = 0;
    for (let t = 0; t < d; t++) {
      acc += Math.max(0, eig[h * d + t]);
      out[t] += total > 0 ? acc / total / heads : 1 / heads;
    }
  }
  return out.map((x) => sig(x));
}

export const kvProjectionKind = defineExperiment({
  ...kvProjectionSchema,
  async *run(config, ctx): AsyncGenerator<KindEvent, KvProjectionSummary> {
    const gpu = ctx.gpu;
    const { heads, n, d } = config;
    const syn = await attentionInputs(gpu, config.input, heads, n, d, config.seed);
    yield { type: 'progress', fraction: 0, message: `${syn.source}, PCA of K and V` };
    const pca = kvPca(syn.k, syn.v, heads, n, d);
    const summary: KvProjectionSummary = {
      ranks: [],
      kVariance: explained(pca.eigK, heads, d),
      vVariance: explained(pca.eigV, heads, d),
    };
    ctx.setSummary(summary);
    const p = kvProblem(gpu, pca, syn.q, syn.k, syn.v);
    const q = Tensor.fromArray(gpu, syn.q, [heads, n, d]);
    const k = Tensor.fromArray(gpu, syn.k, [heads, n, d]);
    const v = Tensor.fromArray(gpu, syn.v, [heads, n, d]);
    try {
      const full = fusedForward(q, k, v);
      const dense = await full.out.read();
      full.out.dispose();
      full.lse.dispose();
      for (let i = 0; i < config.ranks.length; i++) {
        throwIfAborted(ctx.signal);
        const r = pair(config.ranks[i]);
        yield { type: 'progress', fraction: i / config.ranks.length, message: `rank K ${r.k} V ${r.v}` };
        const o = projectedAttention(p, r.k, r.v);
        const got = addValueMean(await o.read(), pca);
        o.dispose();
        const row = {
          rank: r.k,
          vRank: r.v,
          relOutputError: sig(relError(got, dense)),
          compression: sig(kvCompression(r.k, r.v, d)),
        };
        summary.ranks.push(row);
        yield { type: 'metric', series: 'error', step: r.k, value: row.relOutputError };
      }
    } finally {
      p.dispose();
      for (const t of [q, k, v]) t.dispose();
    }
    yield { type: 'progress', fraction: 1, message: 'done' };
    return summary;
  },
});
