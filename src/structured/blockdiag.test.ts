/**
 * Block-diagonal family against the float64 oracle (src/reference/blockdiag.ts): apply = toDense·x =
 * oracle on awkward shapes, backward vs finite differences of the oracle, projection = diagonal blocks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import { BLOCKDIAG, type BlockVariant } from '../ops/blockdiag-matmul';
import * as bd from '../reference/blockdiag';
import * as ref from '../reference/dense';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { BlockDiagMatrix, blockdiagFamily } from './blockdiag';
import { getFamily } from './registry';
import { SpecError } from './types';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(7101);
const f32 = (n: number, std = 1) => Float64Array.from(Float32Array.from(rng.normals(n, std)));

const cases: Array<[number, number, number, number]> = [
  // [batch, blocks, R, K]
  [4, 3, 5, 7],
  [1, 1, 3, 17],
  [17, 4, 6, 5],
  [65, 2, 9, 1],
  [3, 8, 8, 8],
];

describe('blockdiag apply', () => {
  for (const [batch, nb, R, K] of cases)
    it(`batch ${batch}, ${nb} blocks of ${R}×${K}`, async () => {
      const shape = { nb, R, K };
      const w = f32(nb * R * K);
      const x = ref.arr(f32(batch * nb * K), [batch, nb * K]);
      const m = new BlockDiagMatrix(nb * R, nb * K, nb, Tensor.fromArray(gpu, w, [nb, R, K]));
      const want = bd.blockdiagApply(x, w, shape);
      expect(ref.relMaxError(want.data, bd.blockdiagApplyDense(x, w, shape).data)).toBeLessThan(1e-12);
      const [y, dense] = tidy(() => [m.apply(Tensor.fromArray(gpu, x.data, x.shape)), m.toDense()]);
      expect(y.shape).toEqual([batch, nb * R]);
      expect(ref.relMaxError(await y.read(), want.data)).toBeLessThan(1e-5);
      expect(ref.relMaxError(await dense.read(), bd.blockdiagDense(w, shape).data)).toBeLessThan(1e-6);
      y.dispose();
      dense.dispose();
      m.dispose();
    });
});

describe('every forward kernel variant', () => {
  const configs: Array<{ label: string; variant: BlockVariant }> = [
    { label: 'scalar 4 rows', variant: 'forward' },
    { label: 'scalar 8 rows', variant: 'forward8' },
    { label: 'fast4x8', variant: 'fast4x8' },
    { label: 'fast8x8', variant: 'fast8x8' },
    { label: 'fast8x16', variant: 'fast8x16' },
    { label: 'fast16x16', variant: 'fast16x16' },
  ];
  // [batch, blocks, R, K]: K multiple of 4 so the fast (vec4) variants apply; R and batch overhang tiles.
  const shapes: Array<[number, number, number, number]> = [
    [17, 3, 13, 8],
    [5, 2, 20, 4],
    [33, 4, 3, 12],
  ];
  for (const cfg of configs)
    it(`${cfg.label}: forward and x gradient on ${shapes.length} aligned shapes`, async () => {
      gpu.variants.force(BLOCKDIAG, cfg.variant);
      try {
        for (const [batch, nb, R, K] of shapes) {
          const shape = { nb, R, K };
          const w = f32(nb * R * K);
          const x = f32(batch * nb * K);
          const c = f32(batch * nb * R);
          const m = new BlockDiagMatrix(nb * R, nb * K, nb, Tensor.fromArray(gpu, w, [nb, R, K]));
          const xt = Tensor.fromArray(gpu, x, [batch, nb * K]).trainable();
          const y = tidy(() => {
            const out = m.apply(xt);
            out.backward(Tensor.fromArray(gpu, c, [batch, nb * R]));
            return out;
          });
          const want = bd.blockdiagApply(ref.arr(x, [batch, nb * K]), w, shape);
          expect(ref.relMaxError(await y.read(), want.data)).toBeLessThan(1e-5);
          // dX = C·W (W dense)
          const wantDx = ref.matmul(ref.arr(c, [batch, nb * R]), bd.blockdiagDense(w, shape));
          expect(ref.relMaxError(await xt.grad!.read(), wantDx.data)).toBeLessThan(1e-5);
          y.dispose();
          xt.dispose();
          m.dispose();
        }
      } finally {
        gpu.variants.force(BLOCKDIAG, null);
      }
    });
});

describe('blockdiag backward vs finite differences of the oracle', () => {
  // K % 4 == 0 takes the vec4 outer-product kernels (gradX8x16, gradW8x16), the others the scalar ones.
  for (const [batch, nb, R, K] of [
    [3, 3, 5, 7],
    [5, 2, 3, 2],
    [6, 1, 4, 9],
    [7, 2, 9, 8],
    [17, 3, 5, 20],
  ])
    it(`batch ${batch}, ${nb} blocks of ${R}×${K}`, async () => {
      const shape = { nb, R, K };
      const w = f32(nb * R * K);
      const x = f32(batch * nb * K);
      const c = f32(batch * nb * R);
      const loss = (xv: Float64Array, wv: Float64Array) => {
        const y = bd.blockdiagApply(ref.arr(xv, [batch, nb * K]), wv, shape).data;
        return y.reduce((s, v, i) => s + v * c[i], 0);
      };
      const wantX = ref.numericGrad((v) => loss(v, w), x);
      const wantW = ref.numericGrad((v) => loss(x, v), w);
      const wt = Tensor.fromArray(gpu, w, [nb, R, K]).trainable();
      const xt = Tensor.fromArray(gpu, x, [batch, nb * K]).trainable();
      const m = new BlockDiagMatrix(nb * R, nb * K, nb, wt);
      tidy(() => m.apply(xt).backward(Tensor.fromArray(gpu, c, [batch, nb * R])));
      expect(ref.relMaxError(await xt.grad!.read(), wantX)).toBeLessThan(1e-5);
      expect(ref.relMaxError(await wt.grad!.read(), wantW)).toBeLessThan(1e-5);
      xt.dispose();
      m.dispose();
    });
});

describe('blockdiag family', () => {
  it('is registered', () => {
    expect(getFamily('blockdiag')).toBe(blockdiagFamily);
  });

  it('projection keeps the diagonal blocks: error² = off-diagonal mass exactly', async () => {
    const rows = 15;
    const cols = 21;
    const W = ref.arr(f32(rows * cols), [rows, cols]);
    const Wt = Tensor.fromArray(gpu, W.data, [rows, cols]);
    const m = await blockdiagFamily.project(Wt, { family: 'blockdiag', blocks: 3 }, {});
    const dense = m.toDense();
    const got = await dense.read();
    let err2 = 0;
    for (let i = 0; i < got.length; i++) err2 += (got[i] - W.data[i]) ** 2;
    const off = bd.offBlockMass(W, { nb: 3, R: 5, K: 7 });
    expect(off).toBeGreaterThan(1);
    expect(Math.abs(err2 - off) / off).toBeLessThan(1e-6);
    expect(m.params).toBe(blockdiagFamily.paramCount({ family: 'blockdiag', blocks: 3 }, rows, cols));
    expect(m.params).toBe(105);
    expect(m.flops(10)).toBe(2 * 10 * 105);
    expect(m.parameters()[0].requiresGrad).toBe(true);
    dense.dispose();
    Wt.dispose();
    m.dispose();
  });

  it('random is seeded and scaled ~ 1/√K', async () => {
    const spec = { family: 'blockdiag', blocks: 4 } as const;
    const a = blockdiagFamily.random(gpu, 64, 128, spec, { rng: new Rng(3) });
    const b = blockdiagFamily.random(gpu, 64, 128, spec, { rng: new Rng(3) });
    const va = await a.parameters()[0].read();
    expect(Array.from(await b.parameters()[0].read())).toEqual(Array.from(va));
    const ms = va.reduce((s, v) => s + v * v, 0) / va.length;
    expect(ms).toBeGreaterThan(0.8 / 32);
    expect(ms).toBeLessThan(1.2 / 32);
    a.dispose();
    b.dispose();
  });

  it('bad specs throw SpecError naming the field', () => {
    const bad = (blocks: number, rows: number, cols: number) => {
      try {
        blockdiagFamily.validate({ family: 'blockdiag', blocks }, rows, cols);
      } catch (e) {
        return e;
      }
      return null;
    };
    for (const e of [bad(3, 12, 10), bad(5, 12, 10), bad(0, 4, 4), bad(2.5, 10, 10)]) {
      expect(e).toBeInstanceOf(SpecError);
      expect((e as SpecError).field).toBe('blocks');
      expect((e as SpecError).message).toMatch(/blocks/);
    }
    expect(bad(2, 12, 10)).toBeNull();
    expect(() =>
      blockdiagFamily.random(gpu, 10, 9, { family: 'blockdiag', blocks: 2 }, { rng: new Rng(1) }),
    ).toThrow(SpecError);
  });

  it('apply rejects a wrong input width', () => {
    const m = blockdiagFamily.random(gpu, 8, 8, { family: 'blockdiag', blocks: 2 }, { rng: new Rng(1) });
    const x = Tensor.zeros(gpu, [2, 7]);
    expect(() => m.apply(x)).toThrow(/\[batch, 8\]/);
    x.dispose();
    m.dispose();
  });
});
