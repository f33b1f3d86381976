import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { loadCorpus } from '../data/text';
import { ShapeError } from '../gpu/errors';
import type { Linear } from '../nn/linear';
import { loadShippedModel } from '../nn/shipped';
import { attentionRef } from '../reference/attention';
import { relMaxError } from '../reference/dense';
import { add } from '../tensor/ops';
import { tidy } from '../tensor/tensor';
import { modelHeads } from './inputs';

describe('attention inputs: a shipped model’s real heads', () => {
  it('names-tiny layer 1: the heads, attended (f64 oracle) and projected by o_proj, give the block’s attention output', async () => {
    const gpu = await getGpu();
    const input = { type: 'model' as const, model: 'names-tiny' as const, layer: 1, offset: 1000 };
    const [n, heads, dh] = [16, 2, 16];
    const got = await modelHeads(gpu, input, heads, n, dh);
    expect(got.source).toMatch(/^names-tiny layer 1, 2 heads × 16 × 16, on "/);
    // Independently: the model's own block-1 attention (its forward, fused kernel and o_proj) on
    // the same window, against o_proj(concat_h attentionRef(head h)) from the returned Q, K, V.
    const base = await loadShippedModel(gpu, 'names-tiny');
    const text = await loadCorpus(base.info.corpus);
    const ids = base.vocab.encode(text.slice(1000, 1000 + n));
    const m = base.model;
    const oProj = m.namedModules().find((x) => x.name === 'blocks.1.attn.o_proj')?.module as Linear;
    const [attnOut, wo] = tidy(() => {
      const pos = Int32Array.from({ length: n }, (_, i) => i);
      const x1 = m.blocks[0].forward(add(m.tok_emb.forward(ids), m.pos_emb.forward(pos)), 1, n);
      return [m.blocks[1].attn.forward(m.blocks[1].ln_1.forward(x1), 1, n), oProj.weight];
    });
    const want = await attnOut.read();
    const W = await wo!.read(); // [dModel out, dModel in] (names-tiny is dense)
    const dModel = heads * dh;
    const y = new Float64Array(n * dModel);
    for (let h = 0; h < heads; h++) {
      const part = (a: Float32Array) => Float64Array.from(a.subarray(h * n * dh, (h + 1) * n * dh));
      const o = attentionRef({ q: part(got.q), k: part(got.k), v: part(got.v), n, d: dh }).out;
      for (let i = 0; i < n; i++) for (let c = 0; c < dh; c++) y[i * dModel + h * dh + c] = o[i * dh + c];
    }
    const out = new Float64Array(n * dModel);
    for (let i = 0; i < n; i++)
      for (let r = 0; r < dModel; r++) {
        let s = 0;
        for (let c = 0; c < dModel; c++) s += y[i * dModel + c] * W[r * dModel + c];
        out[i * dModel + r] = s;
      }
    expect(relMaxError(want, out)).toBeLessThan(1e-4);
    attnOut.dispose();
    m.dispose();
  });

  it('rejects shapes the model cannot give, naming the limit', async () => {
    const gpu = await getGpu();
    const input = { type: 'model' as const, model: 'names-tiny' as const, layer: 0, offset: 0 };
    await expect(modelHeads(gpu, input, 2, 17, 16)).rejects.toThrow(
      /n = 17 is over the model's context of 16/,
    );
    await expect(modelHeads(gpu, input, 2, 16, 32)).rejects.toThrow(
      /d must be the model's head dim 16, got 32/,
    );
    await expect(modelHeads(gpu, input, 3, 16, 16)).rejects.toThrow(/heads = 3 is over the model's 2 heads/);
    await expect(modelHeads(gpu, { ...input, layer: 2 }, 2, 16, 16)).rejects.toThrow(ShapeError);
  });
});
