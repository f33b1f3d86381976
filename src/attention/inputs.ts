/**
 * Where the attention experiments' Q, K, V come from: seeded synthetic heads (./synthetic.ts) or a
 * shipped model's real heads on its own text. For `{type: 'model'}` the shipped transformer runs
 * on one window of n characters of its corpus (from `offset`) up to block `layer`; that block's
 * ln_1 output goes through its q/k/v projections, and head h is columns h·dh … (h + 1)·dh − 1 of each
 * (dh = dModel / heads), exactly what the model's own attention sees. Layout [heads, n, d], f32.
 */
import { loadCorpus } from '../data/text';
import type { AttentionInput, ModelAttentionInput } from '../experiments/sparse-attention.schema';
import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import type { Linear } from '../nn/linear';
import { loadShippedModel } from '../nn/shipped';
import { add } from '../tensor/ops';
import { tidy } from '../tensor/tensor';
import { syntheticHeads } from './synthetic';

export interface AttentionHeads {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  /** What the inputs are, in words (progress messages, the view). */
  source: string;
}

export async function attentionInputs(
  gpu: Gpu,
  input: AttentionInput,
  heads: number,
  n: number,
  d: number,
  seed: number,
): Promise<AttentionHeads> {
  if (input === 'synthetic') {
    const s = syntheticHeads(heads, n, d, seed);
    return { q: s.q, k: s.k, v: s.v, source: `synthetic heads ${heads} × ${n} × ${d}` };
  }
  return modelHeads(gpu, input, heads, n, d);
}

/** The real per-head Q, K, V of a shipped model (see the file comment); bad shapes → ShapeError. */
export async function modelHeads(
  gpu: Gpu,
  input: ModelAttentionInput,
  heads: number,
  n: number,
  d: number,
): Promise<AttentionHeads> {
  const base = await loadShippedModel(gpu, input.model);
  try {
    const { spec } = base.info;
    const dh = spec.dModel / spec.heads;
    const at = `input (model ${input.model})`;
    if (spec.attention !== 'standard')
      throw new ShapeError(`${at}: only standard q/k/v attention has per-head Q, K, V`);
    if (input.layer >= spec.layers)
      throw new ShapeError(`${at}: layer ${input.layer} is over its last layer ${spec.layers - 1}`);
    if (n > spec.context)
      throw new ShapeError(`${at}: n = ${n} is over the model's context of ${spec.context} tokens`);
    if (d !== dh) throw new ShapeError(`${at}: d must be the model's head dim ${dh}, got ${d}`);
    if (heads > spec.heads)
      throw new ShapeError(`${at}: heads = ${heads} is over the model's ${spec.heads} heads`);
    const text = await loadCorpus(base.info.corpus);
    if (input.offset + n > text.length)
      throw new ShapeError(
        `${at}: offset ${input.offset} + n ${n} is past the end of corpus '${base.info.corpus}' (${text.length} characters)`,
      );
    const window = text.slice(input.offset, input.offset + n);
    const ids = base.vocab.encode(window);
    const m = base.model;
    const linears = new Map(m.namedModules().map((x) => [x.name, x.module]));
    const proj = (name: string) => linears.get(`blocks.${input.layer}.attn.${name}`) as Linear;
    const qkv = tidy(() => {
      const pos = Int32Array.from({ length: n }, (_, i) => i);
      let x = add(m.tok_emb.forward(ids), m.pos_emb.forward(pos));
      for (let b = 0; b < input.layer; b++) x = m.blocks[b].forward(x, 1, n);
      const xn = m.blocks[input.layer].ln_1.forward(x);
      return ['q_proj', 'k_proj', 'v_proj'].map((p) => proj(p).forward(xn));
    });
    const [q, k, v] = await Promise.all(qkv.map((t) => t.read()));
    for (const t of qkv) t.dispose();
    // [n, dModel] → [heads, n, dh]: head h is columns h·dh … (h + 1)·dh − 1.
    const split = (x: Float32Array) => {
      const out = new Float32Array(heads * n * dh);
      for (let h = 0; h < heads; h++)
        for (let i = 0; i < n; i++)
          for (let c = 0; c < dh; c++) out[(h * n + i) * dh + c] = x[i * spec.dModel + h * dh + c];
      return out;
    };
    return {
      q: split(q),
      k: split(k),
      v: split(v),
      source: `${input.model} layer ${input.layer}, ${heads} heads × ${n} × ${dh}, on ${JSON.stringify(window)}`,
    };
  } finally {
    base.model.dispose();
  }
}
