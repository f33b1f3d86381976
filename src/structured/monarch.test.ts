/**
 * Monarch family against the float64 oracle (src/reference/monarch.ts): apply = toDense·x = oracle
 * (square, m1 ≠ m2, rectangular), backward vs finite differences, and the projection facts of
 * ALGORITHMS.md §2 (exact round trip, ≈ 0.78 on a Gaussian 64 × 64, optimality checks).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { expectApplyGrads } from '../../tests/unit/grad-check';
import type { Gpu } from '../gpu/device';
import * as ref from '../reference/dense';
import * as mo from '../reference/monarch';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { MonarchMatrix, monarchFamily } from './monarch';
import { monarchShapeOf } from './monarch.spec';
import { getFamily } from './registry';
import { SpecError } from './types';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(7202);
const f32 = (n: number, std = 1) => Float64Array.from(Float32Array.from(rng.normals(n, std)));

function relFro(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0;
  let w = 0;
  for (let i = 0; i < want.length; i++) {
    e += (got[i] - want[i]) ** 2;
    w += want[i] ** 2;
  }
  return Math.sqrt(e / w);
}

function upload(s: mo.MonarchShape, w1: Float64Array, w2: Float64Array, trainable = false): MonarchMatrix {
  return new MonarchMatrix(
    s,
    Tensor.fromArray(gpu, w1, [s.m1, s.m2, s.P]).trainable(trainable),
    Tensor.fromArray(gpu, w2, [s.m2, s.Q, s.m1]).trainable(trainable),
  );
}

// [rows, cols, m1 | undefined, expected m1, m2]
const shapes: Array<[number, number, number | undefined, number, number]> = [
  [12, 12, 4, 4, 3],
  [12, 12, undefined, 3, 4],
  [64, 64, undefined, 8, 8],
  [12, 20, undefined, 4, 4],
  [24, 8, 2, 2, 4],
  [7, 9, undefined, 3, 1],
  [6, 16, 16, 16, 1],
];

describe('monarch shapes', () => {
  for (const [rows, cols, b, m1, m2] of shapes)
    it(`${rows}×${cols} blocks=${b} → m1 = ${m1}, m2 = ${m2}`, () => {
      const s = monarchShapeOf({ family: 'monarch', blocks: b }, rows, cols);
      expect([s.m1, s.m2, s.P * s.m1, s.Q * s.m2]).toEqual([m1, m2, cols, rows]);
      // The production shape rule and the oracle's independent copy agree.
      expect(s).toEqual(mo.monarchShape(rows, cols, b));
    });
});

describe('monarch apply', () => {
  for (const [rows, cols, b] of shapes)
    for (const batch of [1, 5, 17])
      it(`${rows}×${cols} blocks=${b}, batch ${batch}`, async () => {
        const s = mo.monarchShape(rows, cols, b);
        const w1 = f32(s.m1 * s.m2 * s.P);
        const w2 = f32(s.m2 * s.Q * s.m1);
        const x = ref.arr(f32(batch * cols), [batch, cols]);
        const want = mo.monarchApply(x, w1, w2, s);
        expect(ref.relMaxError(mo.monarchApplyDense(x, w1, w2, s).data, want.data)).toBeLessThan(1e-12);
        const m = upload(s, w1, w2);
        const [y, dense] = tidy(() => [m.apply(Tensor.fromArray(gpu, x.data, x.shape)), m.toDense()]);
        expect(y.shape).toEqual([batch, rows]);
        expect(ref.relMaxError(await y.read(), want.data)).toBeLessThan(1e-5);
        expect(ref.relMaxError(await dense.read(), mo.monarchDense(w1, w2, s).data)).toBeLessThan(1e-5);
        y.dispose();
        dense.dispose();
        m.dispose();
      });

  it('the entry formula holds on the GPU: W[j·m2+i, t·P+c] = w2[i,j,t]·w1[t,i,c], for every entry', async () => {
    for (const [rows, cols, b] of [
      [12, 12, 4],
      [15, 10, 5],
    ]) {
      const s = mo.monarchShape(rows, cols, b);
      const w1 = f32(s.m1 * s.m2 * s.P);
      const w2 = f32(s.m2 * s.Q * s.m1);
      const m = upload(s, w1, w2);
      const dense = m.toDense();
      const W = await dense.read();
      dense.dispose();
      m.dispose();
      let worst = 0;
      for (let i = 0; i < s.m2; i++)
        for (let j = 0; j < s.Q; j++)
          for (let t = 0; t < s.m1; t++)
            for (let c = 0; c < s.P; c++) {
              const want = w2[(i * s.Q + j) * s.m1 + t] * w1[(t * s.m2 + i) * s.P + c];
              worst = Math.max(worst, Math.abs(W[(j * s.m2 + i) * cols + t * s.P + c] - want));
            }
      expect(worst, `${rows}×${cols}, ${b} blocks`).toBeLessThan(1e-6);
    }
  });
});

describe('monarch backward vs finite differences of the oracle', () => {
  for (const [rows, cols, b, batch] of [
    [12, 12, 4, 3],
    [12, 20, undefined, 2],
    [24, 8, 2, 5],
  ] as Array<[number, number, number | undefined, number]>)
    it(`${rows}×${cols} blocks=${b}, batch ${batch}`, async () => {
      const s = mo.monarchShape(rows, cols, b);
      const w1 = f32(s.m1 * s.m2 * s.P);
      const w2 = f32(s.m2 * s.Q * s.m1);
      const x = f32(batch * cols);
      const c = f32(batch * rows);
      const m = upload(s, w1, w2, true);
      await expectApplyGrads({
        gpu,
        apply: (xt) => m.apply(xt),
        params: [m.w1, m.w2],
        values: [w1, w2],
        refApply: (xv, [a, bb]) => mo.monarchApply(ref.arr(xv, [batch, cols]), a, bb, s).data,
        x,
        c,
        batch,
        cols,
        rows,
      });
      m.dispose();
    });
});

describe('monarch projection', () => {
  for (const [rows, cols, b] of [
    [12, 12, 4],
    [64, 64, undefined],
    [12, 20, undefined],
    [24, 8, 2],
  ] as Array<[number, number, number | undefined]>)
    it(`exact Monarch ${rows}×${cols} (blocks ${b}) round-trips within 1e-4`, async () => {
      const spec = { family: 'monarch', blocks: b } as const;
      const orig = monarchFamily.random(gpu, rows, cols, spec, { rng: rng.fork() });
      const W = orig.toDense();
      const want = await W.read();
      const p = await monarchFamily.project(W, spec, {});
      const back = p.toDense();
      const err = relFro(await back.read(), want);
      expect(err).toBeLessThan(1e-4);
      expect(p.params).toBe(monarchFamily.paramCount(spec, rows, cols));
      for (const t of [orig, p]) t.dispose();
      W.dispose();
      back.dispose();
    });

  it('iid Gaussian 64×64 with m1 = m2 = 8: error ≈ 0.78, no random Monarch closer, locally optimal', async () => {
    const n = 64;
    const Wd = f32(n * n);
    const W = Tensor.fromArray(gpu, Wd, [n, n]);
    const spec = { family: 'monarch', blocks: 8 } as const;
    const p = (await monarchFamily.project(W, spec, {})) as MonarchMatrix;
    const dense = p.toDense();
    const err = relFro(await dense.read(), Wd);
    console.log(
      `monarch projection of an iid Gaussian 64×64 (m1 = m2 = 8): relative error ${err.toFixed(4)}`,
    );
    expect(err).toBeGreaterThan(0.76);
    expect(err).toBeLessThan(0.81);

    const s = p.shape;
    const w1 = Float64Array.from(await p.w1.read());
    const w2 = Float64Array.from(await p.w2.read());
    const errOf = (a: Float64Array, b: Float64Array) => relFro(mo.monarchDense(a, b, s).data, Wd);
    const base = errOf(w1, w2);
    expect(Math.abs(base - err)).toBeLessThan(1e-5);
    // No random Monarch beats it, even at its best scale α (min_α ‖W − αM‖ = ‖W‖·sin∠(W, M)).
    let bestRandom = Infinity;
    for (let k = 0; k < 20; k++) {
      const M = mo.monarchDense(rng.normals(w1.length), rng.normals(w2.length), s).data;
      let wm = 0;
      let mm = 0;
      let ww = 0;
      for (let i = 0; i < M.length; i++) {
        wm += Wd[i] * M[i];
        mm += M[i] * M[i];
        ww += Wd[i] * Wd[i];
      }
      bestRandom = Math.min(bestRandom, Math.sqrt(1 - (wm * wm) / (mm * ww)));
    }
    expect(bestRandom).toBeGreaterThan(base);
    // Local optimality: small perturbations of its own factors never reduce the error.
    for (const eps of [1e-2, 1e-3]) {
      for (let k = 0; k < 5; k++) {
        const a = w1.map((v) => v + eps * rng.normal());
        const b = w2.map((v) => v + eps * rng.normal());
        expect(errOf(a, b)).toBeGreaterThanOrEqual(base - 1e-9);
      }
    }
    dense.dispose();
    W.dispose();
    p.dispose();
  });
});

describe('monarch family', () => {
  it('is registered, counts parameters and flops', () => {
    expect(getFamily('monarch')).toBe(monarchFamily);
    expect(monarchFamily.paramCount({ family: 'monarch' }, 64, 64)).toBe(2 * 64 * 8);
    expect(monarchFamily.paramCount({ family: 'monarch', blocks: 4 }, 12, 12)).toBe(4 * 3 * 3 + 3 * 4 * 4);
    const m = monarchFamily.random(gpu, 64, 64, { family: 'monarch' }, { rng: new Rng(1) });
    expect(m.flops(10)).toBe(2 * 10 * 1024);
    expect(m.parameters().every((t) => t.requiresGrad)).toBe(true);
    m.dispose();
  });

  it('apply without gradients and toDense leave no tensor behind (outside tidy too)', async () => {
    const m = monarchFamily.random(gpu, 12, 20, { family: 'monarch' }, { rng: new Rng(2) });
    const x = Tensor.randn(gpu, [3, 20], new Rng(3));
    const before = Tensor.liveCount();
    const d = m.toDense();
    expect(d.requiresGrad).toBe(false);
    d.dispose();
    expect(Tensor.liveCount()).toBe(before);
    expect(m.parameters().every((t) => t.requiresGrad)).toBe(true);
    for (const t of m.parameters()) t.requiresGrad = false;
    const y = m.apply(x);
    y.dispose();
    expect(Tensor.liveCount()).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('bad specs throw SpecError naming the field', () => {
    for (const [b, cols] of [
      [5, 12],
      [0, 12],
      [1.5, 12],
      [24, 12],
    ]) {
      let err: unknown = null;
      try {
        monarchFamily.validate({ family: 'monarch', blocks: b }, 12, cols);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).field).toBe('blocks');
    }
    expect(() => monarchFamily.validate({ family: 'monarch', blocks: 6 }, 10, 12)).not.toThrow();
  });
});
