/**
 * Low-rank family against the float64 oracle (src/reference/lowrank.ts): Eckart–Young optimality of
 * project(), the randomized SVD on a decaying spectrum, reproducibility, apply == toDense·x ==
 * oracle on awkward shapes, backward vs finite differences, and bad specs. Real WebGPU, no mocks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import * as dense from '../reference/dense';
import * as ref from '../reference/lowrank';
import * as ops from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { LowRankMatrix, projectLowRank } from './lowrank';
import { getFamily } from './registry';
import { LowRankSpec, type SpecOf } from './specs';
import { SpecError } from './types';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(7_2026);
/** Gaussian values rounded to f32 (what the GPU sees). */
const randF32 = (n: number, std = 1) => Float64Array.from(Float32Array.from(rng.normals(n, std)));
const spec = (rank: number, extra: Partial<SpecOf<'lowrank'>> = {}) =>
  LowRankSpec.parse({ family: 'lowrank', rank, ...extra });

const read64 = async (t: Tensor) => Float64Array.from(await t.read());

describe('lowrank project (exact SVD)', () => {
  const cases: Array<[number, number, number]> = [
    [1, 1, 1],
    [3, 17, 2],
    [17, 3, 3],
    [17, 65, 5],
    [65, 17, 1],
    [33, 33, 16],
  ];
  for (const [m, n, r] of cases)
    it(`${m}×${n} rank ${r}: error equals the Eckart–Young optimum`, async () => {
      const w = randF32(m * n);
      const W = Tensor.fromArray(gpu, w, [m, n]);
      const lr = await projectLowRank(W, spec(r, { method: 'exact' }));
      expect(lr.rank).toBe(r);
      expect(lr.params).toBe(r * (m + n));
      const got = await read64(tidy(() => lr.toDense()));
      const S = ref.svd(w, m, n).S;
      const opt = ref.eckartYoungError(S, r);
      const err = ref.fro(ref.sub(w, got));
      // The GPU factors are f32: the achieved error is the optimum up to f32 rounding of W.
      expect(Math.abs(err - opt) / ref.fro(w)).toBeLessThan(1e-4);
      // And it is the optimum itself (unique here: random spectra have gaps), not just as good.
      expect(dense.relMaxError(got, ref.truncatedSvd(w, m, n, r))).toBeLessThan(1e-5);
      lr.dispose();
      W.dispose();
    });

  it('factors split √σ to both sides: BᵀB = A·Aᵀ = Σ_r', async () => {
    const [m, n, r] = [17, 9, 4];
    const w = randF32(m * n);
    const lr = await projectLowRank(Tensor.fromArray(gpu, w, [m, n]), spec(r, { method: 'exact' }));
    const S = ref.svd(w, m, n).S;
    const btb = await read64(tidy(() => ops.matmul(lr.B, lr.B, { transA: true })));
    const aat = await read64(tidy(() => ops.matmul(lr.A, lr.A, { transB: true })));
    const diag = new Float64Array(r * r);
    for (let i = 0; i < r; i++) diag[i * r + i] = S[i];
    expect(dense.relMaxError(btb, diag)).toBeLessThan(1e-5);
    expect(dense.relMaxError(aat, diag)).toBeLessThan(1e-5);
  });
});

describe('lowrank project (randomized SVD)', () => {
  // A decaying spectrum σ_i = 0.8^i: the sketch with power iterations must find the top subspace.
  const [m, n, r] = [65, 130, 8];
  const s = Array.from({ length: Math.min(m, n) }, (_, i) => 0.8 ** i);
  const w = Float64Array.from(Float32Array.from(ref.withSpectrum(m, n, s, () => rng.normal())));

  it('niter = 2 is within 1% of the Eckart–Young optimum', async () => {
    const W = Tensor.fromArray(gpu, w, [m, n]);
    const lr = await projectLowRank(W, spec(r, { method: 'randomized', niter: 2, oversample: 4 }), {
      rng: new Rng(11),
    });
    const err = ref.fro(ref.sub(w, await read64(lr.toDense())));
    const opt = ref.eckartYoungError(ref.svd(w, m, n).S, r);
    expect(err).toBeGreaterThanOrEqual(opt * (1 - 1e-4));
    expect(err).toBeLessThan(opt * 1.01);
  });

  it('niter = 0 without oversampling is measurably worse (the test can tell methods apart)', async () => {
    const W = Tensor.fromArray(gpu, w, [m, n]);
    const lr = await projectLowRank(W, spec(r, { method: 'randomized', niter: 0, oversample: 0 }), {
      rng: new Rng(11),
    });
    const err = ref.fro(ref.sub(w, await read64(lr.toDense())));
    const opt = ref.eckartYoungError(ref.svd(w, m, n).S, r);
    expect(err).toBeGreaterThan(opt * 1.01);
  });

  it('same seed → same factors', async () => {
    const W = Tensor.fromArray(gpu, w, [m, n]);
    const sp = spec(r, { method: 'randomized', niter: 1 });
    const a = await projectLowRank(W, sp, { rng: new Rng(3) });
    const b = await projectLowRank(W, sp, { rng: new Rng(3) });
    expect(await a.B.read()).toEqual(await b.B.read());
    expect(await a.A.read()).toEqual(await b.A.read());
  });

  it('without an rng the sketch is still reproducible (seed 0)', async () => {
    const W = Tensor.fromArray(gpu, w, [m, n]);
    const sp = spec(r, { method: 'randomized', niter: 1 });
    const a = await projectLowRank(W, sp);
    const b = await projectLowRank(W, sp);
    expect(await a.toDense().read()).toEqual(await b.toDense().read());
    const c = await projectLowRank(W, sp, { rng: new Rng(0) });
    expect(await c.toDense().read()).toEqual(await a.toDense().read());
  });

  it("'auto' picks exact for small matrices (identical to method 'exact')", async () => {
    const W = Tensor.fromArray(gpu, w, [m, n]);
    const a = await projectLowRank(W, spec(r, { method: 'auto' }));
    const b = await projectLowRank(W, spec(r, { method: 'exact' }));
    expect(await a.toDense().read()).toEqual(await b.toDense().read());
  });
});

describe('lowrank apply', () => {
  const cases: Array<[number, number, number, number]> = [
    // [batch, out, in, r]
    [1, 1, 1, 1],
    [3, 17, 65, 3],
    [17, 65, 3, 2],
    [65, 33, 17, 17],
    [5, 130, 65, 9],
  ];
  for (const [b, m, n, r] of cases)
    it(`X [${b}, ${n}] · (B [${m}, ${r}] · A [${r}, ${n}])ᵀ: apply == toDense·x == oracle`, async () => {
      const lr = getFamily('lowrank').random(gpu, m, n, spec(r), { rng });
      expect(lr.flops(b)).toBe(2 * b * r * (m + n));
      const x = randF32(b * n);
      const B = await read64(lr.parameters()[0]);
      const A = await read64(lr.parameters()[1]);
      const want = ref.mm(x, ref.transposeRaw(ref.mm(B, A, m, r, n), m, n), b, n, m);
      const X = Tensor.fromArray(gpu, x, [b, n]);
      const y = await read64(tidy(() => lr.apply(X)));
      const yd = await read64(tidy(() => ops.matmul(X, lr.toDense(), { transB: true })));
      const tol = 2e-5 * Math.sqrt(n + r);
      expect(dense.relMaxError(y, want)).toBeLessThan(tol);
      expect(dense.relMaxError(yd, want)).toBeLessThan(tol);
      lr.dispose();
      X.dispose();
    });

  it('apply without gradients leaves no intermediate alive', () => {
    const lr = getFamily('lowrank').random(gpu, 9, 7, spec(2), { rng });
    const X = Tensor.fromArray(gpu, randF32(3 * 7), [3, 7]);
    const before = Tensor.liveCount();
    lr.apply(X).dispose();
    expect(Tensor.liveCount()).toBe(before);
  });

  it('rejects X of the wrong width with a ShapeError naming both', () => {
    const lr = getFamily('lowrank').random(gpu, 9, 7, spec(2), { rng });
    expect(() => lr.apply(Tensor.zeros(gpu, [3, 8]))).toThrow(ShapeError);
    expect(() => lr.apply(Tensor.zeros(gpu, [3, 8]))).toThrow(/\[batch, 7\].*\[3, 8\]/);
  });
});

describe('lowrank backward vs finite differences', () => {
  for (const [b, m, n, r] of [
    [3, 5, 4, 2],
    [1, 3, 17, 3],
  ] as const)
    it(`dX, dB, dA for batch ${b}, ${m}×${n}, rank ${r}`, async () => {
      const x = randF32(b * n);
      const B = randF32(m * r);
      const A = randF32(r * n);
      const wts = randF32(b * m);
      const loss = (xx: Float64Array, BB: Float64Array, AA: Float64Array) => {
        const y = ref.mm(xx, ref.transposeRaw(ref.mm(BB, AA, m, r, n), m, n), b, n, m);
        let s = 0;
        for (let i = 0; i < y.length; i++) s += y[i] * wts[i];
        return s;
      };
      const X = Tensor.fromArray(gpu, x, [b, n]).trainable();
      const lr = new LowRankMatrix(
        Tensor.fromArray(gpu, B, [m, r]).trainable(),
        Tensor.fromArray(gpu, A, [r, n]).trainable(),
      );
      tidy(() => {
        const y = lr.apply(X);
        ops.sum(ops.mul(y, Tensor.fromArray(gpu, wts, [b, m]))).backward();
      });
      const numX = dense.numericGrad((v) => loss(v, B, A), x, 1e-5);
      const numB = dense.numericGrad((v) => loss(x, v, A), B, 1e-5);
      const numA = dense.numericGrad((v) => loss(x, B, v), A, 1e-5);
      expect(dense.relMaxError(await X.grad!.read(), numX)).toBeLessThan(1e-4);
      expect(dense.relMaxError(await lr.B.grad!.read(), numB)).toBeLessThan(1e-4);
      expect(dense.relMaxError(await lr.A.grad!.read(), numA)).toBeLessThan(1e-4);
      lr.dispose();
      X.dispose();
    });
});

describe('lowrank specs', () => {
  const fam = () => getFamily('lowrank');
  const field = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      return (e as SpecError).field;
    }
    return undefined;
  };

  it('bad specs throw SpecError naming the field', () => {
    expect(field(() => fam().validate(spec(4), 3, 10))).toBe('rank');
    expect(field(() => fam().validate(spec(11), 30, 10))).toBe('rank');
    expect(field(() => fam().validate({ ...spec(2), rank: 0 }, 3, 10))).toBe('rank');
    expect(field(() => fam().validate({ ...spec(2), rank: 1.5 }, 3, 10))).toBe('rank');
    expect(field(() => fam().validate({ ...spec(2), oversample: -1 }, 3, 10))).toBe('oversample');
    expect(field(() => fam().validate({ ...spec(2), niter: -2 }, 3, 10))).toBe('niter');
    expect(field(() => fam().validate({ ...spec(2), method: 'qr' as 'exact' }, 3, 10))).toBe('method');
    expect(field(() => fam().validate(spec(3), 3, 10))).toBeUndefined();
    expect(() => fam().validate(spec(4), 3, 10)).toThrow(/rank 4 .*min\(out, in\) = 3/);
  });

  it('project rejects a bad spec before any work', async () => {
    await expect(projectLowRank(Tensor.zeros(gpu, [3, 5]), spec(4))).rejects.toThrow(SpecError);
  });

  it('registry entry: label, paramCount, paper', () => {
    expect(fam().label(spec(8))).toBe('Low rank (r = 8)');
    expect(fam().paramCount(spec(8), 64, 32)).toBe(8 * 96);
    expect(fam().paper.url).toContain('0909.4061');
    expect(fam().about.length).toBeGreaterThan(100);
  });
});
