/**
 * FWSVD against the float64 oracle: constant importance reduces to the truncated SVD; the weighted
 * error ‖(W − Ŵ)·D‖_F is the oracle's optimum and never above plain SVD's; perturbing the output's
 * factors does not lower it (local optimality); apply vs oracle; bad specs. Real WebGPU, no mocks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import * as dense from '../reference/dense';
import * as ref from '../reference/lowrank';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { fwsvdWeights, projectFwsvd } from './fwsvd';
import { getFamily } from './registry';
import { SpecError } from './types';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(9_2026);
const randF32 = (n: number, std = 1) => Float64Array.from(Float32Array.from(rng.normals(n, std)));
const read64 = async (t: Tensor) => Float64Array.from(await t.read());
const spec = (rank: number, importance?: number[]) => ({ family: 'fwsvd' as const, rank, importance });
/** Skewed, Fisher-like importances (log-normal), some exactly zero. */
const skewed = (n: number) =>
  Array.from({ length: n }, (_, j) => (j % 7 === 3 ? 0 : Math.exp(2 * rng.normal())));

describe('fwsvd', () => {
  for (const [m, n, r] of [
    [17, 65, 4],
    [65, 17, 3],
    [3, 5, 1],
  ] as const)
    it(`${m}×${n} rank ${r}: constant (or absent) importance is exactly the truncated SVD`, async () => {
      const w = randF32(m * n);
      const W = Tensor.fromArray(gpu, w, [m, n]);
      const want = ref.truncatedSvd(w, m, n, r);
      for (const imp of [Array(n).fill(3.7), undefined, Array(n).fill(0)]) {
        const f = await projectFwsvd(W, spec(r, imp));
        expect(f.kind).toBe('fwsvd');
        expect(dense.relMaxError(await read64(tidy(() => f.toDense())), want)).toBeLessThan(1e-5);
        f.dispose();
      }
      W.dispose();
    });

  for (const [m, n, r] of [
    [17, 33, 4],
    [40, 12, 2],
  ] as const)
    it(`${m}×${n} rank ${r}, skewed importance: weighted error is the optimum, ≤ plain SVD's`, async () => {
      const w = randF32(m * n);
      const imp = skewed(n);
      const f = await projectFwsvd(Tensor.fromArray(gpu, w, [m, n]), spec(r, imp));
      const got = await read64(tidy(() => f.toDense()));
      // The oracle's Ŵ = trunc_r(W·D)·D⁻¹ (entries are up to 1/√1e-5 ≈ 316× the weighted ones).
      const want = ref.fwsvd(w, m, n, r, imp);
      const eFw = ref.weightedError(w, got, m, n, imp);
      const eOpt = ref.weightedError(w, want, m, n, imp);
      const ePlain = ref.weightedError(w, ref.truncatedSvd(w, m, n, r), m, n, imp);
      expect(
        Math.abs(eFw - eOpt) / ref.fro(ref.scaleColumns(w, m, n, ref.fwsvdWeights(imp, n))),
      ).toBeLessThan(1e-5);
      expect(eFw).toBeLessThanOrEqual(ePlain * (1 + 1e-6));
      // With these skewed weights the difference is real, so the check above has teeth.
      expect(eFw).toBeLessThan(ePlain * 0.99);
      // And FWSVD pays for it in plain (unweighted) error, as it should.
      expect(ref.fro(ref.sub(w, got))).toBeGreaterThan(ref.fro(ref.sub(w, ref.truncatedSvd(w, m, n, r))));
      f.dispose();
    });

  it('large matrix (auto → seeded randomized SVD): weighted error within 1% of the optimum', async () => {
    const [m, n, r] = [260, 280, 4];
    const s = Array.from({ length: m }, (_, i) => 0.6 ** i);
    const w = Float64Array.from(Float32Array.from(ref.withSpectrum(m, n, s, () => rng.normal())));
    // Mild weights, so that W·D keeps a decaying spectrum the sketch can find.
    const imp = Array.from({ length: n }, () => 0.5 + rng.uniform());
    const f = await projectFwsvd(Tensor.fromArray(gpu, w, [m, n]), spec(r, imp), { rng: new Rng(2) });
    const e = ref.weightedError(w, await read64(tidy(() => f.toDense())), m, n, imp);
    const opt = ref.eckartYoungError(ref.svd(ref.scaleColumns(w, m, n, ref.fwsvdWeights(imp, n)), m, n).S, r);
    expect(e).toBeGreaterThanOrEqual(opt * (1 - 1e-3));
    expect(e).toBeLessThan(opt * 1.01);
  });

  it('local optimality: perturbing the factors never lowers the weighted error', async () => {
    const [m, n, r] = [12, 20, 3];
    const w = randF32(m * n);
    const imp = skewed(n);
    const f = await projectFwsvd(Tensor.fromArray(gpu, w, [m, n]), spec(r, imp));
    const B = await read64(f.B);
    const A = await read64(f.A);
    const e0 = ref.weightedError(w, ref.mm(B, A, m, r, n), m, n, imp);
    for (let trial = 0; trial < 20; trial++) {
      const dB = rng.normals(m * r);
      const dA = rng.normals(r * n);
      for (const eps of [1e-2, -1e-2, 1e-3, -1e-3]) {
        const B2 = B.map((v, i) => v + eps * dB[i] * (1 + Math.abs(v)));
        const A2 = A.map((v, i) => v + eps * dA[i] * (1 + Math.abs(v)));
        const e = ref.weightedError(w, ref.mm(B2, A2, m, r, n), m, n, imp);
        expect(e).toBeGreaterThanOrEqual(e0 * (1 - 1e-7));
      }
    }
    // A full-rank perturbation of Ŵ (off the rank-r set) may lower it: the check is about the family.
  });

  it('apply == X·Ŵᵀ of the oracle', async () => {
    const [b, m, n, r] = [17, 33, 17, 5];
    const w = randF32(m * n);
    const imp = skewed(n);
    const f = await projectFwsvd(Tensor.fromArray(gpu, w, [m, n]), spec(r, imp));
    expect(f.flops(b)).toBe(2 * b * r * (m + n));
    const x = randF32(b * n);
    const want = ref.mm(x, ref.transposeRaw(ref.fwsvd(w, m, n, r, imp), m, n), b, n, m);
    const y = await read64(tidy(() => f.apply(Tensor.fromArray(gpu, x, [b, n]))));
    expect(dense.relMaxError(y, want)).toBeLessThan(1e-4);
  });

  it('weights follow the paper: √(I/max + 1e-5), equal without importance', () => {
    const d = fwsvdWeights([0, 2, 4], 3);
    expect(d[0]).toBeCloseTo(Math.sqrt(1e-5), 12);
    expect(d[1]).toBeCloseTo(Math.sqrt(0.5 + 1e-5), 12);
    expect(d[2]).toBeCloseTo(Math.sqrt(1 + 1e-5), 12);
    expect([...fwsvdWeights(undefined, 2)]).toEqual([Math.sqrt(1 + 1e-5), Math.sqrt(1 + 1e-5)]);
  });
});

describe('fwsvd specs', () => {
  const fam = () => getFamily('fwsvd');
  const field = (s: ReturnType<typeof spec>, rows: number, cols: number) => {
    try {
      fam().validate(s, rows, cols);
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      return (e as SpecError).field;
    }
    return undefined;
  };

  it('bad specs throw SpecError naming the field', async () => {
    expect(field(spec(4), 3, 10)).toBe('rank');
    expect(field(spec(0), 3, 10)).toBe('rank');
    expect(field(spec(2, [1, 2, 3]), 3, 4)).toBe('importance');
    expect(field(spec(2, [1, -2, 3]), 3, 3)).toBe('importance');
    expect(field(spec(2, [1, Number.NaN, 3]), 3, 3)).toBe('importance');
    expect(field(spec(2, [1, 2, 3]), 3, 3)).toBeUndefined();
    expect(() => fam().validate(spec(2, [1, 2, 3]), 3, 4)).toThrow(/4 .*got 3/);
    await expect(projectFwsvd(Tensor.zeros(gpu, [3, 4]), spec(2, [1]))).rejects.toThrow(SpecError);
  });

  it('registry entry and random()', async () => {
    expect(fam().paper.url).toContain('2207.00112');
    expect(fam().paramCount(spec(3), 10, 20)).toBe(90);
    expect(fam().label(spec(3, [1]))).toContain('weighted');
    const a = fam().random(gpu, 9, 7, spec(2), { rng: new Rng(5) });
    const b = fam().random(gpu, 9, 7, spec(2), { rng: new Rng(5) });
    expect(a.kind).toBe('fwsvd');
    expect(await a.toDense().read()).toEqual(await b.toDense().read());
  });
});
