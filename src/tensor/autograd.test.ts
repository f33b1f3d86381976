/**
 * The autograd engine as a training loop uses it: backward() records nothing, gradients
 * accumulate in place, zeroGrad, in-place parameter updates, tidy() over nested results,
 * integer tensors, and memory that stays flat over 1,000 training steps. Real WebGPU (Dawn).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import * as ref from '../reference/dense';
import { axpbyInPlace, fillInPlace, noGrad, zeroGrad } from './autograd';
import { dropout, dropoutCounters } from './dropout';
import { embedding } from './embedding';
import { crossEntropy } from './loss';
import { causalMask, where } from './mask';
import { layerNorm } from './norm';
import * as ops from './ops';
import { Rng } from './rng';
import { concat, permute, split } from './shape-ops';
import { Tensor, tidy } from './tensor';
import { trainingKernels } from './training-kernels';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});
const rng = new Rng(7);

describe('backward', () => {
  it('runs with recording off: no .grad has parents or a backward function', () => {
    const a = Tensor.randn(gpu, [3, 4], rng).trainable();
    const b = Tensor.randn(gpu, [4, 5], rng).trainable();
    const c = Tensor.randn(gpu, [5], rng).trainable();
    tidy(() => {
      // Every backward here calls ops whose operands are trainable (a, b, c and a used twice).
      const y = ops.mul(ops.add(ops.matmul(a, b), c), ops.tanh(ops.matmul(a, b)));
      const z = ops.div(ops.sum(ops.mul(y, y)), ops.sum(ops.square(c)));
      z.backward();
    });
    for (const p of [a, b, c]) {
      expect(p.grad).not.toBeNull();
      expect(p.grad!.parents).toEqual([]);
      expect(p.grad!.backwardFn).toBeNull();
      expect(p.grad!.requiresGrad).toBe(false);
      expect(p.grad!.sharesStorage).toBe(false);
      p.dispose();
    }
  });

  it('a second backward accumulates into the same .grad storage; zeroGrad forgets it', async () => {
    const w = Tensor.fromArray(gpu, [1, 2, 3], [3]).trainable();
    const step = () => tidy(() => ops.sum(ops.square(w)).backward());
    step();
    const g = w.grad!;
    const buf = g.buffer;
    expect(Array.from(await g.read())).toEqual([2, 4, 6]);
    step();
    expect(w.grad).toBe(g);
    expect(w.grad!.buffer).toBe(buf);
    expect(Array.from(await w.grad!.read())).toEqual([4, 8, 12]);
    zeroGrad([w], { setToNone: false });
    expect(w.grad!.buffer).toBe(buf);
    expect(Array.from(await w.grad!.read())).toEqual([0, 0, 0]);
    zeroGrad([w]);
    expect(w.grad).toBeNull();
    expect(g.disposed).toBe(true);
    w.dispose();
  });

  it('a leaf reached through a reshape gets a gradient of its own shape', async () => {
    const w = Tensor.fromArray(gpu, [1, 2, 3, 4, 5, 6], [2, 3]).trainable();
    tidy(() => ops.sum(ops.scale(w.reshape([6]), 3)).backward());
    expect(w.grad!.shape).toEqual([2, 3]);
    expect(Array.from(await w.grad!.read())).toEqual([3, 3, 3, 3, 3, 3]);
    w.dispose();
  });

  it('a seed stays the caller’s, and a deep chain does not overflow the stack', async () => {
    const w = Tensor.fromArray(gpu, [0.5], [1]).trainable();
    const seed = Tensor.fromArray(gpu, [2], [1]);
    tidy(() => {
      let y = w;
      for (let i = 0; i < 3000; i++) y = y.reshape([1]);
      y.backward(seed);
    });
    expect(seed.disposed).toBe(false);
    expect(await w.grad!.item()).toBe(2);
    seed.dispose();
    w.dispose();
  });
});

describe('module order', () => {
  it('backward and accumulation work with autograd.ts loaded first and ops.ts never loaded', async () => {
    vi.resetModules();
    const ag = await import('./autograd');
    const { Tensor: T } = await import('./tensor');
    const w = T.fromArray(gpu, [1, 2, 3], [3]).trainable();
    const seed = T.fromArray(gpu, [1, 10, 100], [3]);
    const a = w.reshape([1, 3]);
    const b = w.reshape([3, 1]);
    // A hand-made op whose two inputs are both views of w: their gradients accumulate into w.grad.
    const y = ag.record(T.empty(gpu, [3]), [a, b], (g) => [g.reshape([1, 3]), g.reshape([3, 1])]);
    ag.backward(y, seed);
    expect(Array.from(await w.grad!.read())).toEqual([2, 20, 200]);
    for (const t of [w, seed, a, b, y]) t.dispose();
  });
});

describe('in-place updates', () => {
  it('axpbyInPlace, fillInPlace and assign write the same storage, unrecorded', async () => {
    const a = f32arr(17);
    const b = f32arr(17);
    const p = Tensor.fromArray(gpu, a, [17]).trainable();
    const q = Tensor.fromArray(gpu, b, [17]);
    const buf = p.buffer;
    axpbyInPlace(0.5, p, -2, q);
    expect(p.buffer).toBe(buf);
    expect(p.backwardFn).toBeNull();
    const want = a.map((v, i) => Math.fround(0.5 * v) + Math.fround(-2 * b[i]));
    expect(ref.relMaxError(await p.read(), want)).toBeLessThan(1e-6);
    axpbyInPlace(1, p, 1, Tensor.fromArray(gpu, [1], [1])); // a one-element src broadcasts
    expect(
      ref.relMaxError(
        await p.read(),
        Array.from(want, (v) => v + 1),
      ),
    ).toBeLessThan(1e-6);
    axpbyInPlace(3, p, -1, p); // aliasing src and target: p ← 2p
    expect(
      ref.relMaxError(
        await p.read(),
        Array.from(want, (v) => 2 * (v + 1)),
      ),
    ).toBeLessThan(1e-6);
    p.assign(q);
    expect(Array.from(await p.read())).toEqual(Array.from(b));
    fillInPlace(p, 0.25);
    expect(p.buffer).toBe(buf);
    expect(Array.from(await p.read())).toEqual(new Array(17).fill(0.25));
    p.write(a);
    expect(Array.from(await p.read())).toEqual(Array.from(a));
    expect(() => axpbyInPlace(1, p, 1, Tensor.zeros(gpu, [3]))).toThrow(/does not match the target \[17\]/);
    expect(() => p.assign(Tensor.zeros(gpu, [3]))).toThrow(ShapeError);
    p.dispose();
    q.dispose();
  });
});

describe('in-place writes after the forward pass', () => {
  it('backward() refuses a graph whose input was updated in place, or disposed, since the forward pass', () => {
    const w = Tensor.fromArray(gpu, [1, 2], [2]).trainable();
    const v0 = w.version;
    tidy(() => {
      const loss = ops.sum(ops.square(w));
      axpbyInPlace(1, w, -0.1, Tensor.full(gpu, [2], 1));
      expect(w.version).toBe(v0 + 1);
      expect(() => loss.backward()).toThrow(/modified in place after the forward pass/);
    });
    tidy(() => {
      const x = Tensor.fromArray(gpu, [3, 4], [2]);
      const loss = ops.sum(ops.mul(w, x));
      x.dispose();
      expect(() => loss.backward()).toThrow(/was disposed before backward\(\)/);
    });
    tidy(() => ops.sum(ops.square(w)).backward()); // a fresh forward pass is fine
    expect(w.grad).not.toBeNull();
    w.dispose();
  });
});

describe('tidy', () => {
  it('keeps tensors nested in returned objects and arrays, disposes the rest', () => {
    let scratch: Tensor | null = null;
    const out = tidy(() => {
      scratch = Tensor.zeros(gpu, [2]);
      const a = Tensor.zeros(gpu, [1]);
      const b = Tensor.zeros(gpu, [1]);
      const c = Tensor.zeros(gpu, [1]);
      const d = Tensor.zeros(gpu, [1]);
      return { model: { layers: [{ w: a }, [b]] }, m: new Map([['c', c]]), s: new Set([d]), n: 3 };
    });
    expect(scratch!.disposed).toBe(true);
    const kept = [out.model.layers[0], out.model.layers[1]] as unknown as [{ w: Tensor }, Tensor[]];
    for (const t of [kept[0].w, kept[1][0], out.m.get('c')!, [...out.s][0]]) {
      expect(t.disposed).toBe(false);
      t.dispose();
    }
  });
});

describe('integer tensors', () => {
  it('u32 / i32 upload, read back, reshape and dispose under tidy', async () => {
    const before = Tensor.liveCount();
    const ids = await tidy(() => {
      const u = Tensor.fromArray(gpu, new Uint32Array([0, 5, 4294967295]), [3]);
      const i = Tensor.fromArray(gpu, [-7, 0, 9, 2], [2, 2], 'i32');
      expect(u.dtype).toBe('u32');
      expect(i.reshape([4]).dtype).toBe('i32');
      return i;
    }).readInts();
    expect(Array.from(ids)).toEqual([-7, 0, 9, 2]);
    expect(Tensor.liveCount()).toBe(before + 1);
  });

  it('rejects out-of-range values, gradients, and f32 ops on integers', async () => {
    expect(() => Tensor.fromArray(gpu, [1.5], [1], 'i32')).toThrow(/element 0 is 1.5/);
    expect(() => Tensor.fromArray(gpu, [-1], [1], 'u32')).toThrow(/integers in \[0, 4294967295\]/);
    tidy(() => {
      const t = Tensor.fromArray(gpu, [1, 2], [2], 'u32');
      expect(() => t.trainable()).toThrow(/cannot require gradients/);
      expect(() => ops.relu(t)).toThrow(/relu takes f32 tensors, got a u32 tensor \[2\]/);
      expect(() => ops.sum(t)).toThrow(/f32/);
    });
    const t = Tensor.fromArray(gpu, [1, 2], [2], 'u32');
    await expect(t.read()).rejects.toThrow(/readInts/);
    t.dispose();
  });
});

describe('memory', () => {
  it('stays flat over 1,000 tiny training steps (live tensors and pooled buffers)', async () => {
    const W = Tensor.randn(gpu, [3, 4], rng, 0.5).trainable();
    const b = Tensor.zeros(gpu, [3]).trainable();
    const x = Tensor.randn(gpu, [5, 4], rng);
    const y = Tensor.randn(gpu, [5, 3], rng);
    const params = [W, b];
    const step = () => {
      tidy(() => {
        const pred = ops.add(ops.matmul(x, W, { transB: true }), b);
        const loss = ops.mean(ops.square(ops.sub(ops.tanh(pred), y)));
        loss.backward();
      });
      noGrad(() => {
        for (const p of params) axpbyInPlace(1, p, -0.1, p.grad!);
      });
      zeroGrad(params);
      gpu.flush();
    };
    const lossNow = () =>
      tidy(() =>
        ops.mean(ops.square(ops.sub(ops.tanh(ops.add(ops.matmul(x, W, { transB: true }), b)), y))).keep(),
      );
    const l0t = lossNow();
    const l0 = await l0t.item();
    l0t.dispose();
    for (let i = 0; i < 10; i++) step();
    await gpu.sync();
    const live = Tensor.liveCount();
    const pool = gpu.pool.stats();
    const buffers = [W.buffer, b.buffer];
    for (let i = 0; i < 1000; i++) {
      step();
      if (i % 100 === 99) {
        await gpu.sync();
        expect(Tensor.liveCount(), `live tensors after step ${i + 1}`).toBe(live);
        expect(gpu.pool.stats(), `pool after step ${i + 1}`).toEqual(pool);
      }
    }
    expect([W.buffer, b.buffer]).toEqual(buffers);
    const l1t = lossNow();
    const l1 = await l1t.item();
    l1t.dispose();
    expect(l1).toBeLessThan(l0); // the loop did train
    for (const t of [W, b, x, y]) t.dispose();
  }, 60_000);
});

describe('a transformer-shaped step with every op', () => {
  it('trains and keeps memory flat; what a backward saves is freed with its output', async () => {
    const [V, B, T, H, D] = [11, 2, 5, 2, 4];
    const d = H * D;
    const E = Tensor.randn(gpu, [V, d], rng, 0.5).trainable();
    const gamma = Tensor.full(gpu, [d], 1).trainable();
    const beta = Tensor.zeros(gpu, [d]).trainable();
    const W = Tensor.randn(gpu, [V, d], rng, 0.3).trainable();
    const params = [E, gamma, beta, W];
    const ids = Tensor.fromArray(
      gpu,
      Int32Array.from({ length: B * T }, () => rng.int(V)),
      [B, T],
    );
    const tg = Int32Array.from({ length: B * T }, () => rng.int(V));
    tg[3] = -100;
    const targets = Tensor.fromArray(gpu, tg, [B * T]);
    const keepAll = Tensor.fromArray(gpu, new Uint32Array(d).fill(1), [d]);
    const lossOf = (step: number) => {
      const h = layerNorm(embedding(E, ids), gamma, beta); // [B, T, d]
      const q = permute(h.reshape([B, T, H, D]), [0, 2, 1, 3]).reshape([B * H, T, D]);
      const att = ops.softmax(causalMask(ops.matmul(q, q, { transB: true, alpha: 1 / Math.sqrt(D) })));
      const o = permute(ops.matmul(att, q).reshape([B, H, T, D]), [0, 2, 1, 3]).reshape([B * T, d]);
      const x = dropout(ops.gelu(o), 0.1, { seed: 3, offset: step * dropoutCounters(B * T * d) });
      const y = where(keepAll, concat(split(x, 2, 1).reverse(), 1), x);
      const logits = ops.matmul(y, W, { transB: true });
      const reg = ops.scale(ops.add(ops.mean(ops.max(logits, 1)), ops.variance(logits)), 1e-3);
      return ops.add(crossEntropy(logits, targets), reg);
    };
    const step = (i: number) => {
      tidy(() => lossOf(i).backward());
      noGrad(() => {
        for (const p of params) axpbyInPlace(1, p, -0.2, p.grad!);
      });
      zeroGrad(params);
      gpu.flush();
    };
    const first = tidy(() => lossOf(0));
    const l0 = await first.item();
    first.dispose();
    for (let i = 0; i < 5; i++) step(i);
    await gpu.sync();
    const live = Tensor.liveCount();
    const pool = gpu.pool.stats();
    for (let i = 5; i < 25; i++) step(i);
    await gpu.sync();
    expect(Tensor.liveCount()).toBe(live);
    expect(gpu.pool.stats()).toEqual(pool);
    const last = tidy(() => lossOf(0));
    expect(await last.item()).toBeLessThan(l0);
    last.dispose();
    // Outside tidy(): the row statistics saved for the backward go with the output.
    const logits = Tensor.randn(gpu, [B * T, V], rng).trainable();
    const before = Tensor.liveCount();
    const ce = crossEntropy(logits, targets);
    const ln = layerNorm(logits, null, null);
    const va = ops.variance(logits, 1);
    expect(Tensor.liveCount()).toBe(before + 6);
    for (const t of [ce, ln, va]) t.dispose();
    expect(Tensor.liveCount()).toBe(before);
    for (const t of [...params, ids, targets, keepAll, logits]) t.dispose();
    expect(Tensor.liveCount()).toBe(live - 7);
  }, 60_000);
});

describe('trainingKernels', () => {
  it('every listed variant compiles ahead of use', async () => {
    const before = gpu.compiled;
    await gpu.precompile(trainingKernels());
    expect(gpu.compiled - before).toBeGreaterThan(0);
    gpu.checkErrors();
  }, 120_000);
});

function f32arr(n: number): Float32Array {
  return Float32Array.from(rng.normals(n, 1));
}
