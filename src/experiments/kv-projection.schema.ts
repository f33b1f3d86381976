/**
 * Kind `kv-projection` — config and summary schemas (run() is in ./kv-projection.ts). MatryoshkaKV:
 * per-head PCA of K and V, causal attention at K/V ranks by the exact formula of ALGORITHMS §4,
 * its output error against full attention and the KV-cache compression.
 */
import { z } from 'zod';
import { configSchema, defineKindSchema, InputError } from './envelope';
import { attentionShapeFields, MAX_ATTENTION_D } from './sparse-attention.schema';

const rank = z.number().int().min(1).max(MAX_ATTENTION_D);

export const KvRank = z.union([
  rank.describe('The same rank r for K and V.'),
  z.strictObject({ k: rank, v: rank }).describe('Separate ranks for K and V.'),
]);

export const KvProjectionConfig = configSchema('kv-projection', {
  ...attentionShapeFields,
  n: attentionShapeFields.n.default(512),
  d: attentionShapeFields.d.default(32),
  /** K/V rank pairs, each ≤ d. */
  ranks: z.array(KvRank).min(1).max(64),
});
export type KvProjectionConfig = z.infer<typeof KvProjectionConfig>;

export const KvRankResult = z.object({
  /** The K rank (equal to vRank unless the pair differs). */
  rank: z.number(),
  vRank: z.number(),
  /** ‖O_r − O‖_F / ‖O‖_F over all heads. */
  relOutputError: z.number(),
  /** Fraction of the KV cache saved: 1 − (rK + rV) / 2d. */
  compression: z.number(),
});

export const KvProjectionSummary = z.object({
  ranks: z.array(KvRankResult),
  /** Fraction of K's and V's variance (mean over heads) captured by the top r directions, r = 1 … d. */
  kVariance: z.array(z.number()),
  vVariance: z.array(z.number()),
});
export type KvProjectionSummary = z.infer<typeof KvProjectionSummary>;

/** A rank entry as a K/V pair. */
export const pair = (r: number | { k: number; v: number }) => (typeof r === 'number' ? { k: r, v: r } : r);

export const kvProjectionSchema = defineKindSchema({
  kind: 'kv-projection',
  title: 'KV projection (MatryoshkaKV): attention error vs K/V rank, KV-cache compression',
  config: KvProjectionConfig,
  summary: KvProjectionSummary,
  timingFields: [],
  timingSeries: [],
  check(config) {
    config.ranks.forEach((r, i) => {
      const p = pair(r);
      if (p.k > config.d || p.v > config.d)
        throw new InputError(
          `rank ${Math.max(p.k, p.v)} is over the head dim d = ${config.d}`,
          `ranks[${i}]`,
        );
    });
  },
});
