/**
 * The base weights shipped in public/models (GPU-free: experiment schemas import this): each
 * model's name, the corpus and split it was trained and validated on, its architecture, and the
 * paths and shapes of its Linear layers (for config checks such as `targets`). src/nn/shipped.ts
 * loads the weights; src/nn/shipped.test.ts checks this table against public/models/<name>.json.
 */
import type { CorpusName } from '../data/corpus-names';
import { TransformerSpec } from './transformer.schema';

export const SHIPPED_MODELS = ['names-tiny', 'male-names-tiny', 'moby-tiny'] as const;
export type ShippedModel = (typeof SHIPPED_MODELS)[number];

export interface ShippedInfo {
  title: string;
  corpus: CorpusName;
  valFraction: number;
  spec: TransformerSpec;
  /** The recipe's validation: batches of `batch` windows, `evalWindows` windows in all. */
  batch: number;
  evalWindows: number;
}

export const SHIPPED_INFO: Record<ShippedModel, ShippedInfo> = {
  'names-tiny': {
    title: 'names-tiny: the tiny char transformer (2 layers, d = 32) trained on names (npm run pretrain)',
    corpus: 'names',
    valFraction: 0.1,
    spec: TransformerSpec.parse({ layers: 2, dModel: 32, heads: 2, context: 16 }),
    batch: 8,
    evalWindows: 32,
  },
  // The fine-tune bases (src/nn/recipe.ts: the same recipe on another corpus; their vocabularies
  // also cover the fine-tune corpus — all names, or Moby Dick + State of the Union).
  'male-names-tiny': {
    title:
      'male-names-tiny: the tiny char transformer (2 layers, d = 32) trained on the male names (npm run pretrain -- --recipe male-names-tiny)',
    corpus: 'male-names',
    valFraction: 0.1,
    spec: TransformerSpec.parse({ layers: 2, dModel: 32, heads: 2, context: 16 }),
    batch: 8,
    evalWindows: 32,
  },
  'moby-tiny': {
    title:
      'moby-tiny: the tiny char transformer (2 layers, d = 32) trained on Moby Dick (npm run pretrain -- --recipe moby-tiny)',
    corpus: 'moby-dick',
    valFraction: 0.1,
    spec: TransformerSpec.parse({ layers: 2, dModel: 32, heads: 2, context: 16 }),
    batch: 8,
    evalWindows: 32,
  },
};

/** Every Linear inside the blocks of a transformer: dotted path, out × in (the head is tied). */
export function linearLayers(s: TransformerSpec): Array<{ path: string; out: number; in: number }> {
  const d = s.dModel;
  const out: Array<{ path: string; out: number; in: number }> = [];
  for (let l = 0; l < s.layers; l++) {
    const p = `blocks.${l}`;
    if (s.attention === 'standard')
      for (const n of ['q_proj', 'k_proj', 'v_proj', 'o_proj'])
        out.push({ path: `${p}.attn.${n}`, out: d, in: d });
    else {
      if (s.attention === 'collapsed') out.push({ path: `${p}.attn.qk_proj`, out: s.heads * d, in: d });
      out.push({ path: `${p}.attn.vo_proj`, out: s.heads * d, in: d });
    }
    if (s.mlp)
      out.push({ path: `${p}.mlp.fc`, out: 4 * d, in: d }, { path: `${p}.mlp.proj`, out: d, in: 4 * d });
  }
  if (!s.tiedHead) out.push({ path: 'lm_head', out: -1, in: d });
  return out;
}
