import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { transformerLossRef } from '../reference/transformer';
import { Rng } from '../tensor/rng';
import { type Tensor, tidy } from '../tensor/tensor';
import type { WeightSpec } from './linear';
import { crossEntropy } from './loss';
import { loadStateDict, stateDict, stateDictFromSafetensors, stateDictToSafetensors } from './state-dict';
import { Transformer } from './transformer';
import { LinearSpec, TransformerSpec } from './transformer.schema';

const B = 2;
const T = 3;
const V = 5;

const CASES: Array<{ what: string; spec: Record<string, unknown>; linear?: WeightSpec }> = [
  {
    what: 'standard, 2 heads, MLP, LayerNorm, biases, tied head',
    spec: { attention: 'standard', heads: 2, bias: true },
  },
  {
    what: 'collapsed query–key, 2 heads, no MLP, RMSNorm, untied head, factorised embedding',
    spec: { attention: 'collapsed', heads: 2, mlp: false, norm: 'rmsnorm', tiedHead: false, embedRank: 3 },
  },
  {
    what: 'symmetric similarity, 1 head, low-rank Linears',
    spec: { attention: 'symmetric', heads: 1 },
    linear: LinearSpec.parse({ family: 'lowrank', rank: 2 }),
  },
];

describe('tiny transformer: loss and gradient vs the f64 reference', () => {
  for (const c of CASES) {
    it(c.what, async () => {
      const gpu = await getGpu();
      const spec = TransformerSpec.parse({ layers: 2, dModel: 8, context: 4, ...c.spec });
      const model = new Transformer(gpu, { vocab: V, spec, linear: c.linear, seed: 3 });
      // Larger-than-init weights so the gradient is not dominated by the uniform softmax.
      const rng = new Rng(9);
      const params: Record<string, Float64Array> = {};
      for (const p of model.namedParameters()) {
        const vals = Float32Array.from(rng.normals(p.tensor.size, 0.4));
        if (/ln_|ln_f/.test(p.name) && p.name.endsWith('weight'))
          for (let i = 0; i < vals.length; i++) vals[i] += 1;
        gpu.write(p.tensor.buffer, vals);
        params[p.name] = Float64Array.from(vals);
      }
      const ids = [0, 3, 1, 4, 2, 2];
      const targets = [3, 1, 4, 2, 2, 0];
      const loss = tidy(() => {
        const l = crossEntropy(model.forward(ids, B, T), targets);
        l.backward();
        return l;
      });
      const rs = { vocab: V, ...spec };
      const want = transformerLossRef(params, rs, ids, targets, B, T);
      expect(Math.abs((await loss.item()) - want)).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)));
      loss.dispose();
      for (const p of model.namedParameters()) {
        expect(p.tensor.grad, `${p.name} has a gradient`).not.toBeNull();
        const got = await (p.tensor.grad as Tensor).read();
        const x = params[p.name];
        const fd = new Float64Array(x.length);
        const h = 1e-5;
        for (let i = 0; i < x.length; i++) {
          const x0 = x[i];
          x[i] = x0 + h;
          const up = transformerLossRef(params, rs, ids, targets, B, T);
          x[i] = x0 - h;
          const dn = transformerLossRef(params, rs, ids, targets, B, T);
          x[i] = x0;
          fd[i] = (up - dn) / (2 * h);
        }
        let scale = 1e-3;
        let err = 0;
        for (let i = 0; i < fd.length; i++) {
          scale = Math.max(scale, Math.abs(fd[i]));
          err = Math.max(err, Math.abs(got[i] - fd[i]));
        }
        expect(err / scale, `${p.name}: GPU gradient vs f64 finite differences`).toBeLessThan(2e-3);
      }
      model.dispose();
    });
  }

  it('names parameters in PyTorch dotted paths', async () => {
    const gpu = await getGpu();
    const spec = TransformerSpec.parse({
      layers: 1,
      dModel: 8,
      heads: 2,
      context: 4,
      bias: true,
      tiedHead: false,
    });
    const model = new Transformer(gpu, { vocab: V, spec, seed: 0 });
    expect(model.namedParameters().map((p) => p.name)).toEqual([
      'tok_emb.weight',
      'pos_emb.weight',
      'blocks.0.ln_1.weight',
      'blocks.0.ln_1.bias',
      'blocks.0.attn.q_proj.weight',
      'blocks.0.attn.q_proj.bias',
      'blocks.0.attn.k_proj.weight',
      'blocks.0.attn.k_proj.bias',
      'blocks.0.attn.v_proj.weight',
      'blocks.0.attn.v_proj.bias',
      'blocks.0.attn.o_proj.weight',
      'blocks.0.attn.o_proj.bias',
      'blocks.0.ln_2.weight',
      'blocks.0.ln_2.bias',
      'blocks.0.mlp.fc.weight',
      'blocks.0.mlp.fc.bias',
      'blocks.0.mlp.proj.weight',
      'blocks.0.mlp.proj.bias',
      'ln_f.weight',
      'ln_f.bias',
      'lm_head.weight',
    ]);
    model.dispose();
  });
});

describe('symmetric similarity', () => {
  it('stores only the triangle: qk_sym is [heads, d(d+1)/2], counted in the parameters', async () => {
    const gpu = await getGpu();
    const d = 8;
    const h = 2;
    const spec = TransformerSpec.parse({
      layers: 2,
      dModel: d,
      heads: h,
      context: 4,
      attention: 'symmetric',
    });
    const model = new Transformer(gpu, { vocab: V, spec, seed: 0 });
    const qk = model.namedParameters().filter((p) => p.name.endsWith('attn.qk_sym'));
    expect(qk.map((p) => [p.name, p.tensor.shape])).toEqual([
      ['blocks.0.attn.qk_sym', [h, (d * (d + 1)) / 2]],
      ['blocks.1.attn.qk_sym', [h, (d * (d + 1)) / 2]],
    ]);
    // everything else as in the collapsed form, whose W_qk is a full [h·d, d] Linear
    const collapsed = new Transformer(gpu, { vocab: V, spec: { ...spec, attention: 'collapsed' }, seed: 0 });
    expect(collapsed.numParams() - model.numParams()).toBe(2 * h * (d * d - (d * (d + 1)) / 2));
    model.dispose();
    collapsed.dispose();
  });
});

describe('state dict', () => {
  it('round-trips through safetensors by dotted name; a mismatch is named and changes nothing', async () => {
    const gpu = await getGpu();
    const spec = TransformerSpec.parse({ layers: 1, dModel: 8, heads: 2, context: 4 });
    const a = new Transformer(gpu, { vocab: V, spec, seed: 1 });
    const b = new Transformer(gpu, { vocab: V, spec, seed: 2 });
    const bytes = stateDictToSafetensors(await stateDict(a), { arch: 'test' });
    const sd = stateDictFromSafetensors(bytes);
    const before = await stateDict(b);
    const bad = { ...sd };
    delete bad['ln_f.bias'];
    expect(() => loadStateDict(b, bad)).toThrow(/missing ln_f.bias/);
    expect(() => loadStateDict(b, { ...sd, 'ln_f.bias': { shape: [3], data: new Float32Array(3) } })).toThrow(
      /'ln_f.bias' has shape \[3\]/,
    );
    expect(await stateDict(b)).toEqual(before);
    loadStateDict(b, sd);
    expect(await stateDict(b)).toEqual(await stateDict(a));
    a.dispose();
    b.dispose();
  });
});
