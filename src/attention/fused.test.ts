import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { ShapeError } from '../gpu/errors';
import { attentionBackwardRef, attentionRef, type HeadRef } from '../reference/attention';
import { numericGrad, relMaxError } from '../reference/dense';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { attention3Pass, causalAttention, fusedForward, releaseCausalMasks } from './fused';

function heads(data: Float64Array[], h: number, n: number, d: number): HeadRef[] {
  return Array.from({ length: h }, (_, i) => ({
    q: data[0].subarray(i * n * d, (i + 1) * n * d),
    k: data[1].subarray(i * n * d, (i + 1) * n * d),
    v: data[2].subarray(i * n * d, (i + 1) * n * d),
    n,
    d,
  }));
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('fused causal attention', () => {
  // d = 16 runs the unrolled entry points (forward_d16, dq_d16, dkv_d16), d = 4 and 128 the general
  // loops (D4 = 1 and 32, both ends). Each head dim compiles its own pipelines, so every test here
  // reuses these three. The d = 64 entry points come from the same generator function
  // (scripts/gen-attention.mjs, checked fresh by tests/unit/attention-generated.test.ts); compiling
  // them takes SwiftShader over a minute on a loaded machine, so they are checked against f64 by the
  // attention benches before timing (bench/attention.ts), not here.
  const cases: Array<[number, number, number]> = [
    // heads, n, d
    [1, 1, 4],
    [2, 3, 4],
    [3, 17, 16],
    [1, 65, 4],
    [2, 257, 16],
    [1, 70, 128],
  ];
  for (const [h, n, d] of cases)
    it(`forward and backward equal the f64 oracle (heads ${h}, n ${n}, d ${d})`, async () => {
      const gpu = await getGpu();
      const rng = new Rng(1000 + n * 7 + d);
      const data = [0, 1, 2].map(() => rng.normals(h * n * d));
      const dO = rng.normals(h * n * d);
      const [q, k, v] = data.map((x) => Tensor.fromArray(gpu, x, [h, n, d]).trainable());
      const outT = tidy(() => {
        const o = causalAttention(q, k, v);
        o.backward(Tensor.fromArray(gpu, dO, [h, n, d]));
        return o;
      });
      const hs = heads(data, h, n, d);
      const want = concat(hs.map((x) => attentionRef(x).out));
      expect(relMaxError(await outT.read(), want)).toBeLessThan(2e-5);
      const grads = hs.map((x, i) => attentionBackwardRef(x, dO.subarray(i * n * d, (i + 1) * n * d)));
      expect(relMaxError(await q.grad!.read(), concat(grads.map((g) => g.dq))), 'dQ').toBeLessThan(5e-5);
      expect(relMaxError(await k.grad!.read(), concat(grads.map((g) => g.dk))), 'dK').toBeLessThan(5e-5);
      expect(relMaxError(await v.grad!.read(), concat(grads.map((g) => g.dv))), 'dV').toBeLessThan(5e-5);
      for (const t of [q, k, v, outT]) t.dispose();
    });

  it('saves the row log-sum-exps; batch × heads input [2, 2, 33, 16] works as 4 heads', async () => {
    const gpu = await getGpu();
    const rng = new Rng(5);
    const [b, h, n, d] = [2, 2, 33, 16];
    const data = [0, 1, 2].map(() => rng.normals(b * h * n * d));
    const [q, k, v] = data.map((x) => Tensor.fromArray(gpu, x, [b, h, n, d]));
    const { out, lse } = fusedForward(q, k, v);
    expect(out.shape).toEqual([b, h, n, d]);
    const refs = heads(data, b * h, n, d).map((x) => attentionRef(x));
    expect(relMaxError(await out.read(), concat(refs.map((r) => r.out)))).toBeLessThan(2e-5);
    expect(relMaxError(await lse.read(), concat(refs.map((r) => r.lse)))).toBeLessThan(2e-5);
    for (const t of [q, k, v, out, lse]) t.dispose();
  });

  it('backward matches finite differences of the oracle (n 5, d 4, custom scale)', async () => {
    const gpu = await getGpu();
    const rng = new Rng(9);
    const [n, d, scale] = [5, 4, 0.7];
    const data = [0, 1, 2].map(() => rng.normals(n * d));
    const c = rng.normals(n * d);
    const [q, k, v] = data.map((x) => Tensor.fromArray(gpu, x, [1, n, d]).trainable());
    tidy(() => causalAttention(q, k, v, { scale }).backward(Tensor.fromArray(gpu, c, [1, n, d])));
    const loss = (vals: Float64Array[]) => {
      const o = attentionRef({ q: vals[0], k: vals[1], v: vals[2], n, d }, scale).out;
      return o.reduce((a, x, i) => a + x * c[i], 0);
    };
    const tensors = [q, k, v];
    for (let i = 0; i < 3; i++) {
      const num = numericGrad((x) => loss(data.map((y, j) => (j === i ? x : y))), data[i]);
      expect(relMaxError(await tensors[i].grad!.read(), num), `grad ${'QKV'[i]}`).toBeLessThan(1e-5);
    }
    for (const t of tensors) t.dispose();
  });

  it('the 3-pass baseline (GEMM, masked softmax, GEMM) equals the oracle, gradients included', async () => {
    const gpu = await getGpu();
    const rng = new Rng(11);
    const [h, n, d] = [2, 17, 8];
    const data = [0, 1, 2].map(() => rng.normals(h * n * d));
    const dO = rng.normals(h * n * d);
    const [q, k, v] = data.map((x) => Tensor.fromArray(gpu, x, [h, n, d]).trainable());
    const out = tidy(() => {
      const o = attention3Pass(q, k, v);
      o.backward(Tensor.fromArray(gpu, dO, [h, n, d]));
      return o;
    });
    const hs = heads(data, h, n, d);
    expect(relMaxError(await out.read(), concat(hs.map((x) => attentionRef(x).out)))).toBeLessThan(2e-5);
    const grads = hs.map((x, i) => attentionBackwardRef(x, dO.subarray(i * n * d, (i + 1) * n * d)));
    expect(relMaxError(await k.grad!.read(), concat(grads.map((g) => g.dk)))).toBeLessThan(5e-5);
    for (const t of [q, k, v, out]) t.dispose();
    releaseCausalMasks(gpu);
  });

  it('keeps a flat count of live tensors over repeated forward + backward', async () => {
    const gpu = await getGpu();
    const rng = new Rng(3);
    const [q, k, v] = [0, 1, 2].map(() => Tensor.randn(gpu, [1, 20, 4], rng).trainable());
    const step = () =>
      tidy(() => {
        causalAttention(q, k, v).backward(Tensor.full(gpu, [1, 20, 4], 1));
      });
    step();
    for (const t of [q, k, v]) {
      t.grad?.dispose();
      t.grad = null;
    }
    const before = Tensor.liveCount();
    for (let i = 0; i < 3; i++) {
      step();
      for (const t of [q, k, v]) {
        t.grad?.dispose();
        t.grad = null;
      }
    }
    expect(Tensor.liveCount()).toBe(before);
    for (const t of [q, k, v]) t.dispose();
  });

  it('rejects bad shapes with clear errors before allocating', async () => {
    const gpu = await getGpu();
    const t = (shape: number[]) => Tensor.zeros(gpu, shape);
    const q = t([2, 8, 4]);
    const kShort = t([2, 7, 4]);
    expect(() => causalAttention(q, kShort, kShort)).toThrow(/K \[2, 7, 4\] does not match Q \[2, 8, 4\]/);
    const big = t([1, 2, 129]);
    expect(() => causalAttention(big, big, big)).toThrow(
      /head dim d = 129 is over the fused kernel's limit of 128/,
    );
    const odd = t([1, 2, 6]);
    expect(() => causalAttention(odd, odd, odd)).toThrow(/d = 6 must be a multiple of 4/);
    const flat = t([8, 4]);
    expect(() => causalAttention(flat, flat, flat)).toThrow(ShapeError);
    const live = Tensor.liveCount();
    const lim = gpu.info.limits.maxStorageBufferBindingSize;
    // A view claiming more rows than the adapter can bind: rejected by the limit check, nothing allocated.
    const huge = {
      ...q,
      gpu,
      rank: 3,
      shape: [1, Math.ceil(lim / 4 / 64) + 64, 64],
      size: (Math.ceil(lim / 4 / 64) + 64) * 64,
    };
    expect(() =>
      causalAttention(huge as unknown as Tensor, huge as unknown as Tensor, huge as unknown as Tensor),
    ).toThrow(/maxStorageBufferBindingSize/);
    expect(Tensor.liveCount()).toBe(live);
    for (const x of [q, kShort, big, odd, flat]) x.dispose();
  });
});
