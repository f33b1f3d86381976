/**
 * Orthogonal-projection family against the float64 oracle: P² = P and Pᵀ = P, W·P equals the rank-r
 * truncated SVD (and lowrank's projection), ‖X − X·P‖ decreases as r grows, apply vs oracle on
 * awkward shapes, backward vs finite differences, bad specs. Real WebGPU, no mocks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import * as dense from '../reference/dense';
import * as ref from '../reference/lowrank';
import * as ops from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { projectLowRank } from './lowrank';
import { OrthoProjMatrix, projectOrthoProj } from './orthoproj';
import { getFamily } from './registry';
import { LowRankSpec } from './specs';
import { SpecError } from './types';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(4_2026);
const randF32 = (n: number, std = 1) => Float64Array.from(Float32Array.from(rng.normals(n, std)));
const read64 = async (t: Tensor) => Float64Array.from(await t.read());
const spec = (rank: number) => ({ family: 'orthoproj' as const, rank });

describe('orthoproj projector facts', () => {
  for (const [m, n, r] of [
    [17, 65, 5],
    [65, 17, 3],
    [3, 3, 1],
    [9, 33, 9],
  ] as const)
    it(`W ${m}×${n}, rank ${r}: P² = P, Pᵀ = P, P equals the oracle projector`, async () => {
      const w = randF32(m * n);
      const op = await projectOrthoProj(Tensor.fromArray(gpu, w, [m, n]), spec(r));
      const P = await read64(tidy(() => op.projector()));
      expect(P.length).toBe(n * n);
      // Symmetric and idempotent (the oracle products are f64 of the f32 P).
      expect(dense.relMaxError(P, ref.transposeRaw(P, n, n))).toBeLessThan(1e-6);
      expect(dense.relMaxError(ref.mm(P, P, n, n, n), P)).toBeLessThan(1e-5);
      // trace P = r (an orthogonal projector of rank r).
      let tr = 0;
      for (let i = 0; i < n; i++) tr += P[i * n + i];
      expect(tr).toBeCloseTo(r, 4);
      // The top-r right singular subspace of W (unique: random spectra have gaps).
      const Pref = ref.projector(ref.topRightSingular(w, m, n, r), n, r);
      expect(dense.relMaxError(P, Pref)).toBeLessThan(1e-5);
      // On the GPU, applying P twice changes nothing.
      const b = 5;
      const X = Tensor.fromArray(gpu, randF32(b * n), [b, n]);
      const xp = await read64(tidy(() => op.applyProjector(X)));
      const xpp = await read64(tidy(() => op.applyProjector(op.applyProjector(X))));
      expect(dense.relMaxError(xpp, xp)).toBeLessThan(1e-5);
      expect(dense.relMaxError(xp, ref.mm(await read64(X), Pref, b, n, n))).toBeLessThan(1e-5);
      op.dispose();
    });
});

describe('orthoproj as an approximation of W', () => {
  for (const [m, n, r] of [
    [17, 65, 5],
    [65, 17, 4],
    [33, 33, 1],
  ] as const)
    it(`W·P equals the rank-${r} truncated SVD of a ${m}×${n} W (and lowrank's projection)`, async () => {
      const w = randF32(m * n);
      const W = Tensor.fromArray(gpu, w, [m, n]);
      const op = await projectOrthoProj(W, spec(r));
      expect(op.params).toBe(r * (m + n));
      const wp = await read64(tidy(() => op.toDense()));
      expect(dense.relMaxError(wp, ref.truncatedSvd(w, m, n, r))).toBeLessThan(1e-5);
      // W·P = W·(P) with the oracle's W: the stored W·U factor is consistent with W.
      const Pref = await read64(tidy(() => op.projector()));
      expect(dense.relMaxError(wp, ref.mm(w, Pref, m, n, n))).toBeLessThan(1e-5);
      const lr = await projectLowRank(W, LowRankSpec.parse({ family: 'lowrank', rank: r, method: 'exact' }));
      expect(dense.relMaxError(wp, await read64(tidy(() => lr.toDense())))).toBeLessThan(1e-5);
      op.dispose();
      lr.dispose();
      W.dispose();
    });

  it('‖X − X·P‖ decreases as r grows (to 0 at r = in)', async () => {
    const [m, n, b] = [40, 24, 17];
    const w = randF32(m * n);
    const W = Tensor.fromArray(gpu, w, [m, n]);
    const X = Tensor.fromArray(gpu, randF32(b * n), [b, n]);
    const x = await read64(X);
    const residuals: number[] = [];
    for (const r of [1, 2, 4, 8, 16, 23, 24]) {
      const op = await projectOrthoProj(W, spec(r));
      residuals.push(ref.fro(ref.sub(x, await read64(tidy(() => op.applyProjector(X))))));
      op.dispose();
    }
    for (let i = 1; i < residuals.length; i++) expect(residuals[i]).toBeLessThan(residuals[i - 1]);
    expect(residuals[residuals.length - 1] / ref.fro(x)).toBeLessThan(1e-5);
  });
});

describe('orthoproj apply', () => {
  for (const [b, m, n, r] of [
    [1, 1, 1, 1],
    [3, 17, 65, 3],
    [65, 3, 17, 2],
    [17, 65, 33, 33],
  ] as const)
    it(`X [${b}, ${n}], W ${m}×${n}, rank ${r}: apply == toDense·x == oracle X·P·Wᵀ`, async () => {
      const w = randF32(m * n);
      const op = await projectOrthoProj(Tensor.fromArray(gpu, w, [m, n]), spec(r));
      expect(op.flops(b)).toBe(2 * b * r * (m + n));
      const x = randF32(b * n);
      const X = Tensor.fromArray(gpu, x, [b, n]);
      const Wr = ref.truncatedSvd(w, m, n, r);
      const want = ref.mm(x, ref.transposeRaw(Wr, m, n), b, n, m);
      const y = await read64(tidy(() => op.apply(X)));
      const yd = await read64(tidy(() => ops.matmul(X, op.toDense(), { transB: true })));
      const tol = 2e-5 * Math.sqrt(n + r);
      expect(dense.relMaxError(y, want)).toBeLessThan(tol);
      expect(dense.relMaxError(yd, want)).toBeLessThan(tol);
      op.dispose();
      X.dispose();
    });

  it('random() is a projector with orthonormal U (UᵀU = I), seeded', async () => {
    const a = getFamily('orthoproj').random(gpu, 9, 17, spec(5), { rng: new Rng(1) }) as OrthoProjMatrix;
    const b = getFamily('orthoproj').random(gpu, 9, 17, spec(5), { rng: new Rng(1) }) as OrthoProjMatrix;
    const utu = await read64(tidy(() => ops.matmul(a.U, a.U, { transA: true })));
    const eye = new Float64Array(25);
    for (let i = 0; i < 5; i++) eye[i * 5 + i] = 1;
    expect(dense.relMaxError(utu, eye)).toBeLessThan(1e-6);
    expect(await a.toDense().read()).toEqual(await b.toDense().read());
  });
});

describe('orthoproj backward vs finite differences', () => {
  it('dX, dU, dWU', async () => {
    const [b, m, n, r] = [3, 4, 6, 2];
    const x = randF32(b * n);
    const U = randF32(n * r);
    const WU = randF32(m * r);
    const wts = randF32(b * m);
    // Y = (X·U)·WUᵀ
    const loss = (xx: Float64Array, UU: Float64Array, WW: Float64Array) => {
      const y = ref.mm(ref.mm(xx, UU, b, n, r), ref.transposeRaw(WW, m, r), b, r, m);
      let s = 0;
      for (let i = 0; i < y.length; i++) s += y[i] * wts[i];
      return s;
    };
    const X = Tensor.fromArray(gpu, x, [b, n]).trainable();
    const op = new OrthoProjMatrix(
      Tensor.fromArray(gpu, U, [n, r]).trainable(),
      Tensor.fromArray(gpu, WU, [m, r]).trainable(),
    );
    tidy(() => {
      ops.sum(ops.mul(op.apply(X), Tensor.fromArray(gpu, wts, [b, m]))).backward();
    });
    expect(
      dense.relMaxError(
        await X.grad!.read(),
        dense.numericGrad((v) => loss(v, U, WU), x, 1e-5),
      ),
    ).toBeLessThan(1e-4);
    expect(
      dense.relMaxError(
        await op.U.grad!.read(),
        dense.numericGrad((v) => loss(x, v, WU), U, 1e-5),
      ),
    ).toBeLessThan(1e-4);
    expect(
      dense.relMaxError(
        await op.WU.grad!.read(),
        dense.numericGrad((v) => loss(x, U, v), WU, 1e-5),
      ),
    ).toBeLessThan(1e-4);
    op.dispose();
    X.dispose();
  });
});

describe('orthoproj specs', () => {
  it('bad rank → SpecError naming rank; registry entry', async () => {
    const fam = getFamily('orthoproj');
    for (const r of [0, 4, 2.5]) {
      try {
        fam.validate(spec(r), 3, 10);
        expect.unreachable(`rank ${r} accepted`);
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        expect((e as SpecError).field).toBe('rank');
      }
    }
    expect(() => fam.validate(spec(3), 3, 10)).not.toThrow();
    await expect(projectOrthoProj(Tensor.zeros(gpu, [5, 3]), spec(4))).rejects.toThrow(SpecError);
    expect(fam.paramCount(spec(4), 10, 20)).toBe(120);
    expect(fam.paper.url).toContain('2410.14731');
    expect(fam.label(spec(4))).toContain('r = 4');
  });
});
