import { describe, expect, it } from 'vitest';
import { getGpu } from '../../../tests/unit/gpu';
import { adamwStepRef, auonStepRef, muonStepRef, sgdStepRef } from '../../reference/optim';
import * as ops from '../../tensor/ops';
import { Rng } from '../../tensor/rng';
import { Tensor, tidy } from '../../tensor/tensor';
import { clipFactor, gradSquares } from './clip';
import { isHiddenMatrix, Optimizer } from './optimizer';
import { lrFactor } from './schedule';
import { OptimizerSpec, ScheduleSpec } from './schema';

const f32 = (a: Float64Array) => Float64Array.from(Float32Array.from(a));

function maxRel(got: Float32Array, want: Float64Array): number {
  let scale = 1e-12;
  for (const w of want) scale = Math.max(scale, Math.abs(w));
  let e = 0;
  for (let i = 0; i < want.length; i++) e = Math.max(e, Math.abs(got[i] - want[i]));
  return e / scale;
}

/** Three steps of the GPU rule vs the f64 oracle on the same (f32-rounded) values. */
async function compare(
  spec: unknown,
  shape: number[],
  oracle: (p: Float64Array, g: Float64Array, state: Float64Array[], t: number) => void,
  tol: number,
  gscale = 1,
  name = 'blocks.0.mlp.fc.weight',
) {
  const gpu = await getGpu();
  const rng = new Rng(shape.reduce((a, b) => a * 7 + b, 3));
  const n = shape.reduce((a, b) => a * b, 1);
  const p0 = f32(rng.normals(n, 0.5));
  const param = Tensor.fromArray(gpu, p0, shape).trainable();
  const opt = new Optimizer([{ name, tensor: param }], OptimizerSpec.parse(spec));
  const p = Float64Array.from(p0);
  const state = [new Float64Array(n), new Float64Array(n)];
  for (let t = 1; t <= 3; t++) {
    const g = f32(rng.normals(n, 0.1 * t));
    param.grad = Tensor.fromArray(gpu, g, shape);
    opt.step(1, gscale);
    opt.zeroGrad();
    oracle(p, g, state, t);
  }
  const got = await param.read();
  expect(maxRel(got, p)).toBeLessThan(tol);
  // the parameter moved (a rule that did nothing would fail here)
  expect(maxRel(got, p0)).toBeGreaterThan(1e-4);
  opt.dispose();
  param.dispose();
}

describe('optimizer steps vs the f64 oracle', () => {
  for (const shape of [[1], [3, 17], [65, 5], [300]]) {
    it(`AdamW on [${shape}] (bias correction, decoupled decay, clipped gradient)`, async () => {
      const spec = { name: 'adamw', lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };
      const wd = shape.length >= 2 ? 0.1 : 0; // decay on matrices only
      await compare(
        spec,
        shape,
        (p, g, [m, v], t) =>
          adamwStepRef(p, g, m, v, t, { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, wd, gscale: 0.5 }),
        1e-5,
        0.5,
      );
    });
    it(`SGD (Nesterov momentum, weight decay) on [${shape}]`, async () => {
      await compare(
        { name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
        shape,
        (p, g, [b]) => sgdStepRef(p, g, b, { lr: 0.1, momentum: 0.9, nesterov: true, wd: 0.01 }),
        1e-5,
      );
    });
  }
  for (const [r, c] of [
    [17, 5],
    [3, 17],
    [33, 33],
  ]) {
    const h = { lr: 0.02, momentum: 0.95, nesterov: true, wd: 0.01 };
    it(`Muon on ${r}×${c} (Nesterov, NS5, √max(1, rows/cols))`, async () => {
      await compare(
        { name: 'muon', lr: 0.02, weightDecay: 0.01 },
        [r, c],
        (p, g, [m]) => muonStepRef(p, g, m, r, c, h),
        2e-3,
      );
    });
    it(`AuON on ${r}×${c}`, async () => {
      await compare(
        { name: 'auon', lr: 0.02, weightDecay: 0.01 },
        [r, c],
        (p, g, [m]) => auonStepRef(p, g, m, r, c, h),
        1e-5,
      );
    });
  }

  it('Muon routes embeddings, head, biases and gains to AdamW', async () => {
    const gpu = await getGpu();
    const mk = (name: string, shape: number[]) => ({ name, tensor: Tensor.zeros(gpu, shape) });
    const ps = [
      mk('tok_emb.weight', [5, 4]),
      mk('blocks.0.attn.q_proj.weight', [4, 4]),
      mk('blocks.0.attn.q_proj.bias', [4]),
      mk('blocks.0.ln_1.weight', [4]),
      mk('lm_head.weight', [5, 4]),
    ];
    expect(ps.map(isHiddenMatrix)).toEqual([false, true, false, false, false]);
    const opt = new Optimizer(ps, OptimizerSpec.parse({ name: 'muon' }));
    expect(opt.groups().map((g) => g.group)).toEqual(['adamw', 'matrix', 'adamw', 'adamw', 'adamw']);
    expect(opt.groups()[1].lr).toBe(0.02);
    expect(opt.groups()[0].lr).toBe(3e-3);
    for (const p of ps) p.tensor.dispose();
  });
});

describe('in-place steps and autograd', () => {
  // Like every in-place write (assign, axpbyInPlace), a fused optimizer step bumps the parameter's
  // version, so a graph recorded before the step refuses backward() rather than silently using
  // the updated weights.
  for (const spec of [
    { name: 'adamw', lr: 0.01 },
    { name: 'sgd', lr: 0.1, momentum: 0.9 },
    { name: 'muon', lr: 0.02 },
    { name: 'auon', lr: 0.02 },
  ]) {
    it(`${spec.name}: a step invalidates a graph saved before it`, async () => {
      const gpu = await getGpu();
      const w = Tensor.fromArray(gpu, new Rng(4).normals(15), [3, 5]).trainable();
      const opt = new Optimizer([{ name: 'blocks.0.mlp.fc.weight', tensor: w }], OptimizerSpec.parse(spec));
      const before = await w.read();
      tidy(() => {
        const stale = ops.sum(ops.square(w));
        w.grad = Tensor.full(gpu, [3, 5], 0.1);
        const v0 = w.version;
        opt.step();
        expect(w.version).toBe(v0 + 1);
        expect(() => stale.backward()).toThrow(/modified in place after the forward pass/);
      });
      expect(await w.read()).not.toEqual(before); // the step did write the parameter
      opt.zeroGrad();
      tidy(() => ops.sum(ops.square(w)).backward()); // a fresh forward pass is fine
      expect(w.grad).not.toBeNull();
      opt.zeroGrad();
      opt.dispose();
      w.dispose();
    });
  }
});

describe('schedule and clipping', () => {
  it('warm-up is linear, cosine ends at minRatio', () => {
    const s = ScheduleSpec.parse({ warmup: 4, minRatio: 0.1 });
    expect([0, 1, 2, 3].map((t) => lrFactor(s, t, 20))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(lrFactor(s, 4, 20)).toBeCloseTo(1, 12);
    expect(lrFactor(s, 19, 20)).toBeCloseTo(0.1, 12);
    expect(lrFactor(s, 4 + 15 / 2, 20)).toBeCloseTo(0.55, 12);
    expect(lrFactor(ScheduleSpec.parse({ decay: 'constant' }), 7, 20)).toBe(1);
  });

  it('global norm from per-parameter Σg², clip factor as PyTorch', async () => {
    const gpu = await getGpu();
    const a = Tensor.fromArray(gpu, [3, 4], [2]);
    const b = Tensor.fromArray(gpu, [1, 2, 2], [3]);
    const sq = gradSquares([a, null, b], gpu);
    expect(Array.from(await sq.read())).toEqual([25, 0, 9]);
    expect(clipFactor(Math.sqrt(34), 1)).toBeCloseTo(1 / Math.sqrt(34), 6);
    expect(clipFactor(0.5, 1)).toBe(1);
    expect(clipFactor(100, 0)).toBe(1);
    for (const t of [a, b, sq]) t.dispose();
  });
});
