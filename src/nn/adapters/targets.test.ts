import { describe, expect, it } from 'vitest';
import { getGpu } from '../../../tests/unit/gpu';
import { Rng } from '../../tensor/rng';
import { tidy } from '../../tensor/tensor';
import { Transformer } from '../transformer';
import { TransformerSpec } from '../transformer.schema';
import { adapterParameters, applyAdapters, removeAdapters, targetLinears } from './targets';

describe('targets', () => {
  it('["q_proj", "v_proj"] and "all" pick the right Linear layers; LoRA leaves the model output bit-identical', async () => {
    const gpu = await getGpu();
    const spec = TransformerSpec.parse({ layers: 1, dModel: 8, heads: 2, context: 4 });
    const model = new Transformer(gpu, { vocab: 5, spec, seed: 3 });
    const picked = targetLinears(model, ['q_proj', 'v_proj']).map((l) => l.path);
    expect(picked.length).toBe(2);
    expect(picked.every((p) => /(q_proj|v_proj)$/.test(p))).toBe(true);
    const all = targetLinears(model, 'all').map((l) => l.path);
    expect(all.length).toBeGreaterThan(2);
    expect(all.some((p) => /head$/.test(p))).toBe(false);
    expect(() => targetLinears(model, ['nope'])).toThrow(/match no Linear/);
    const ids = [0, 1, 2, 3];
    const before = tidy(() => model.forward(ids, 1, 4));
    const want = await before.read();
    before.dispose();
    const layers = await applyAdapters(model, { adapter: 'lora', rank: 2 }, ['q_proj', 'v_proj'], {
      rng: new Rng(1),
    });
    const names = adapterParameters(layers).map((p) => p.name);
    expect(names).toEqual(picked.flatMap((p) => [`${p}.lora_A`, `${p}.lora_B`]));
    const after = tidy(() => model.forward(ids, 1, 4));
    expect(await after.read()).toEqual(want);
    after.dispose();
    removeAdapters(layers);
    model.dispose();
  });
});
