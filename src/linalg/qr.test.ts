import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { ShapeError } from '../gpu/errors';
import { fromFactors, gramSchmidt, matmul64, maxAbsDiff, orthonormalityError } from '../reference/linalg';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { choleskyUpper, invUpper, qrCpu, qrGpu } from './qr';

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function expectUpper(r: Float64Array, k: number, n: number): void {
  for (let i = 0; i < k; i++) {
    expect(r[i * n + i]).toBeGreaterThanOrEqual(0);
    for (let j = 0; j < Math.min(i, n); j++) expect(r[i * n + j]).toBe(0);
  }
}

describe('qrCpu (Householder, f64)', () => {
  const rng = new Rng(5);
  for (const [m, n] of [
    [1, 1],
    [17, 3],
    [3, 17],
    [17, 1],
    [1, 17],
    [65, 33],
    [20, 20],
  ]) {
    it(`${m}×${n}`, () => {
      const a = rng.normals(m * n);
      const { Q, R, k } = qrCpu(a, m, n);
      expect(k).toBe(Math.min(m, n));
      expect(orthonormalityError(Q, m, k)).toBeLessThan(1e-13);
      expect(maxAbsDiff(matmul64(Q, m, k, R, k, n), a)).toBeLessThan(1e-13 * Math.max(1, maxAbs(a)) * m);
      expectUpper(R, k, n);
    });
  }

  it('rank-deficient input still gives orthonormal Q and QR = A', () => {
    const m = 30;
    const n = 10;
    const U = gramSchmidt(rng.normals(m * 3), m, 3);
    const V = gramSchmidt(rng.normals(n * 3), n, 3);
    const a = fromFactors(U, [3, 2, 1], V, m, n, 3);
    const z = new Float64Array(m * n); // and an all-zero matrix
    for (const x of [a, z]) {
      const { Q, R, k } = qrCpu(x, m, n);
      expect(orthonormalityError(Q, m, k)).toBeLessThan(1e-13);
      expect(maxAbsDiff(matmul64(Q, m, k, R, k, n), x)).toBeLessThan(1e-13 * 10);
      expectUpper(R, k, n);
    }
  });

  it('Cholesky and triangular inverse helpers', () => {
    const a = rng.normals(12 * 5);
    const g = matmul64(a, 12, 5, a, 12, 5, true);
    const r = choleskyUpper(g, 5);
    expect(r).not.toBeNull();
    if (!r) return;
    expect(maxAbsDiff(matmul64(r, 5, 5, r, 5, 5, true), g)).toBeLessThan(1e-12 * maxAbs(g));
    const inv = invUpper(r, 5);
    const eye = matmul64(r, 5, 5, inv, 5, 5);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++) expect(eye[i * 5 + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    expect(choleskyUpper(Float64Array.of(1, 2, 2, 1), 2)).toBeNull();
  });
});

describe('qrGpu (shifted CholeskyQR3 on the GPU)', () => {
  const rng = new Rng(6);

  async function check(a: Float64Array, m: number, n: number, expectMethod?: 'cholesky' | 'householder') {
    const gpu = await getGpu();
    const t = Tensor.fromArray(gpu, a, [m, n]);
    const res = await qrGpu(t);
    try {
      expect(res.Q.shape).toEqual([m, n]);
      const q = Float64Array.from(await res.Q.read());
      expect(orthonormalityError(q, m, n)).toBeLessThan(1e-4);
      const qr = matmul64(q, m, n, res.R, n, n);
      expect(maxAbsDiff(qr, a) / maxAbs(a)).toBeLessThan(2e-5);
      expectUpper(res.R, n, n);
      if (expectMethod) expect(res.method).toBe(expectMethod);
      // Same R as the f64 Householder oracle (R is unique with a positive diagonal).
      const ref = qrCpu(a, m, n);
      if (res.method === 'cholesky') expect(maxAbsDiff(res.R, ref.R) / maxAbs(ref.R)).toBeLessThan(1e-4);
      return res;
    } finally {
      t.dispose();
      res.Q.dispose();
    }
  }

  for (const [m, n] of [
    [1, 1],
    [17, 3],
    [65, 17],
    [33, 33],
    [128, 96],
    [257, 5],
  ]) {
    it(`random ${m}×${n}`, async () => {
      await check(rng.normals(m * n), m, n, 'cholesky');
    });
  }

  it('ill-conditioned (cond 1e5) stays on the GPU path', async () => {
    const m = 80;
    const n = 12;
    const U = gramSchmidt(rng.normals(m * n), m, n);
    const V = gramSchmidt(rng.normals(n * n), n, n);
    const s = Array.from({ length: n }, (_, i) => 10 ** (-5 * (i / (n - 1))));
    await check(fromFactors(U, s, V, m, n, n), m, n, 'cholesky');
  });

  it('rank-deficient input falls back to Householder and stays orthonormal', async () => {
    const m = 40;
    const n = 8;
    const U = gramSchmidt(rng.normals(m * 2), m, 2);
    const V = gramSchmidt(rng.normals(n * 2), n, 2);
    await check(fromFactors(U, [2, 1], V, m, n, 2), m, n, 'householder');
  });

  it('forceHouseholder path, and shape errors', async () => {
    const gpu = await getGpu();
    const a = rng.normals(20 * 4);
    const t = Tensor.fromArray(gpu, a, [20, 4]);
    const res = await qrGpu(t, { forceHouseholder: true });
    expect(res.method).toBe('householder');
    expect(orthonormalityError(Float64Array.from(await res.Q.read()), 20, 4)).toBeLessThan(1e-6);
    res.Q.dispose();
    t.dispose();
    const wide = Tensor.zeros(gpu, [3, 5]);
    await expect(qrGpu(wide)).rejects.toThrow(ShapeError);
    await expect(qrGpu(wide)).rejects.toThrow(/tall/);
    wide.dispose();
  });
});
