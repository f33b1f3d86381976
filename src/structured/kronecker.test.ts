/**
 * Kronecker-sum family against the float64 oracle (src/reference/kronecker.ts): apply = toDense·x =
 * oracle, backward vs finite differences, projection: exact round trip, local optimality, error
 * = tail of ℛ(W)'s singular values and decreasing in the number of terms.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { expectApplyGrads } from '../../tests/unit/grad-check';
import type { Gpu } from '../gpu/device';
import * as ref from '../reference/dense';
import * as kr from '../reference/kronecker';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { KroneckerMatrix, kroneckerFamily } from './kronecker';
import { kronShapeOf } from './kronecker.spec';
import { getFamily } from './registry';
import type { SpecOf } from './specs';
import { SpecError } from './types';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(7303);
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

type Spec = SpecOf<'kronecker'>;
const spec = (terms: number, factor?: number | [number, number]): Spec => ({
  family: 'kronecker',
  terms,
  factor,
});

function upload(k: kr.KronShape, A: Float64Array, B: Float64Array, trainable = false): KroneckerMatrix {
  return new KroneckerMatrix(
    k,
    Tensor.fromArray(gpu, A, [k.p * k.n, k.q]).trainable(trainable),
    Tensor.fromArray(gpu, B, [k.r, k.n * k.s]).trainable(trainable),
  );
}

const cases: Array<[number, number, Spec]> = [
  [12, 20, spec(2, [3, 4])],
  [16, 16, spec(4)],
  [6, 9, spec(3, [2, 3])],
  [8, 12, spec(1, [8, 1])],
  [5, 7, spec(2, [5, 7])],
  [9, 6, spec(3)],
  [12, 24, spec(3, [3, 3])],
  [40, 64, spec(5, [5, 4])],
];

describe('kronecker apply', () => {
  for (const [rows, cols, sp] of cases)
    for (const batch of [1, 3, 17])
      it(`${rows}×${cols} ${JSON.stringify(sp)} batch ${batch}`, async () => {
        const k = kronShapeOf(sp, rows, cols);
        const A = f32(k.p * k.n * k.q);
        const B = f32(k.r * k.n * k.s);
        const x = ref.arr(f32(batch * cols), [batch, cols]);
        const want = kr.kronApply(x, A, B, k);
        expect(ref.relMaxError(kr.kronApplyDense(x, A, B, k).data, want.data)).toBeLessThan(1e-12);
        const m = upload(k, A, B);
        const [y, dense] = tidy(() => [m.apply(Tensor.fromArray(gpu, x.data, x.shape)), m.toDense()]);
        expect(y.shape).toEqual([batch, rows]);
        expect(ref.relMaxError(await y.read(), want.data)).toBeLessThan(1e-5);
        expect(ref.relMaxError(await dense.read(), kr.kronDense(A, B, k).data)).toBeLessThan(1e-5);
        y.dispose();
        dense.dispose();
        m.dispose();
      });
});

describe('kronecker backward vs finite differences of the oracle', () => {
  for (const [rows, cols, sp, batch] of [
    [12, 20, spec(2, [3, 4]), 3],
    [9, 6, spec(3), 2],
    // s % 4 == 0: the first product runs shaders/kronecker.wgsl (forward and x gradient), M = 9 rows.
    [12, 24, spec(3, [3, 3]), 5],
  ] as Array<[number, number, Spec, number]>)
    it(`${rows}×${cols} ${JSON.stringify(sp)} batch ${batch}`, async () => {
      const k = kronShapeOf(sp, rows, cols);
      const A = f32(k.p * k.n * k.q);
      const B = f32(k.r * k.n * k.s);
      const x = f32(batch * cols);
      const c = f32(batch * rows);
      const m = upload(k, A, B, true);
      await expectApplyGrads({
        gpu,
        apply: (xt) => m.apply(xt),
        params: [m.A, m.B],
        values: [A, B],
        refApply: (xv, [a, b]) => kr.kronApply(ref.arr(xv, [batch, cols]), a, b, k).data,
        x,
        c,
        batch,
        cols,
        rows,
      });
      m.dispose();
    });
});

describe('kronecker projection', () => {
  for (const [rows, cols, sp] of [
    [12, 20, spec(2, [3, 4])],
    [16, 16, spec(4)],
    [9, 6, spec(3)],
  ] as Array<[number, number, Spec]>)
    it(`exact Kronecker sum ${rows}×${cols} ${JSON.stringify(sp)} round-trips within 1e-4`, async () => {
      const orig = kroneckerFamily.random(gpu, rows, cols, sp, { rng: rng.fork() });
      const W = orig.toDense();
      const want = await W.read();
      const p = await kroneckerFamily.project(W, sp, {});
      const back = p.toDense();
      expect(relFro(await back.read(), want)).toBeLessThan(1e-4);
      expect(p.params).toBe(kroneckerFamily.paramCount(sp, rows, cols));
      orig.dispose();
      p.dispose();
      W.dispose();
      back.dispose();
    });

  it('errors on a Gaussian 16×16 (A 4×4) decrease with the terms, equal the σ tail, and vanish at 16', async () => {
    const Wd = f32(256);
    const W = Tensor.fromArray(gpu, Wd, [16, 16]);
    const sigma = kr.kronProject(ref.arr(Wd, [16, 16]), kronShapeOf(spec(1, 4), 16, 16)).sigma;
    const total = sigma.reduce((s, v) => s + v * v, 0);
    const errs: number[] = [];
    for (const terms of [1, 2, 4, 8, 16]) {
      const p = await kroneckerFamily.project(W, spec(terms, 4), {});
      const d = p.toDense();
      const err = relFro(await d.read(), Wd);
      const tail = Math.sqrt(sigma.slice(terms).reduce((s, v) => s + v * v, 0) / total);
      expect(Math.abs(err - tail)).toBeLessThan(1e-5);
      errs.push(err);
      d.dispose();
      p.dispose();
    }
    console.log(
      `kronecker projection errors, Gaussian 16×16, A 4×4, terms 1,2,4,8,16: ${errs.map((e) => e.toFixed(4)).join(', ')}`,
    );
    for (let i = 1; i < errs.length; i++) expect(errs[i]).toBeLessThan(errs[i - 1]);
    expect(errs[0]).toBeGreaterThan(0.5);
    expect(errs[errs.length - 1]).toBeLessThan(1e-5);
    W.dispose();
  });

  it('is locally optimal: perturbing its own factors never helps', async () => {
    const rows = 12;
    const cols = 20;
    const sp = spec(2, [3, 4]);
    const k = kronShapeOf(sp, rows, cols);
    const Wd = f32(rows * cols);
    const W = Tensor.fromArray(gpu, Wd, [rows, cols]);
    const p = (await kroneckerFamily.project(W, sp, {})) as KroneckerMatrix;
    const A = Float64Array.from(await p.A.read());
    const B = Float64Array.from(await p.B.read());
    const errOf = (a: Float64Array, b: Float64Array) => relFro(kr.kronDense(a, b, k).data, Wd);
    const base = errOf(A, B);
    for (const eps of [1e-2, 1e-3])
      for (let t = 0; t < 5; t++)
        expect(
          errOf(
            A.map((v) => v + eps * rng.normal()),
            B.map((v) => v + eps * rng.normal()),
          ),
        ).toBeGreaterThanOrEqual(base - 1e-9);
    W.dispose();
    p.dispose();
  });
});

describe('kronecker family', () => {
  it('is registered, counts parameters and flops', () => {
    expect(getFamily('kronecker')).toBe(kroneckerFamily);
    expect(kroneckerFamily.paramCount(spec(4), 16, 32)).toBe(4 * (16 + 4 * 8));
    const m = kroneckerFamily.random(gpu, 16, 32, spec(4), { rng: new Rng(1) });
    // p·n·s·(q + r) multiply-adds per row: 4·4·8·(4 + 4)
    expect(m.flops(3)).toBe(2 * 3 * 4 * 4 * 8 * 8);
    expect(m.parameters().every((t) => t.requiresGrad)).toBe(true);
    m.dispose();
  });

  it('apply without gradients and toDense leave no tensor behind (outside tidy too)', async () => {
    // s = 5 takes the batched ops.matmul first product, s = 8 shaders/kronecker.wgsl.
    for (const [rows, cols, sp] of [
      [12, 20, spec(2, [3, 4])],
      [12, 24, spec(3, [3, 3])],
    ] as Array<[number, number, Spec]>) {
      const m = kroneckerFamily.random(gpu, rows, cols, sp, { rng: new Rng(2) });
      const x = Tensor.randn(gpu, [3, cols], new Rng(3));
      const before = Tensor.liveCount();
      m.toDense().dispose();
      expect(Tensor.liveCount()).toBe(before);
      for (const t of m.parameters()) t.requiresGrad = false;
      m.apply(x).dispose();
      expect(Tensor.liveCount()).toBe(before);
      x.dispose();
      m.dispose();
    }
  });

  it('bad specs throw SpecError naming the field', () => {
    const field = (sp: Spec, rows: number, cols: number) => {
      try {
        kroneckerFamily.validate(sp, rows, cols);
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        return (e as SpecError).field;
      }
      return null;
    };
    expect(field(spec(3), 12, 10)).toBe('terms');
    expect(field(spec(0), 12, 12)).toBe('terms');
    expect(field(spec(2, [5, 2]), 12, 10)).toBe('factor');
    expect(field(spec(2, [3, 3]), 12, 10)).toBe('factor');
    expect(field(spec(2, 0), 12, 10)).toBe('factor');
    expect(field(spec(2, [3, 5]), 12, 10)).toBeNull();
  });
});
