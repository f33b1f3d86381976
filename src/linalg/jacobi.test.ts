import { describe, expect, it } from 'vitest';
import {
  fromFactors,
  gramSchmidt,
  matmul64,
  maxAbsDiff,
  orthonormalityError,
  symEigenvaluesBisect,
} from '../reference/linalg';
import { Rng } from '../tensor/rng';
import { svdJacobi, svdReconstruct, truncatedSvdCpu } from './jacobi';

function check(a: Float64Array, m: number, n: number) {
  const svd = svdJacobi(a, m, n);
  const k = Math.min(m, n);
  expect(svd.k).toBe(k);
  expect(svd.U.length).toBe(m * k);
  expect(svd.V.length).toBe(n * k);
  expect(svd.S.length).toBe(k);
  const scale = Math.max(1, ...Array.from(a, Math.abs));
  expect(maxAbsDiff(svdReconstruct(svd, m, n), a)).toBeLessThan(1e-12 * scale);
  expect(orthonormalityError(svd.U, m, k)).toBeLessThan(1e-12);
  expect(orthonormalityError(svd.V, n, k)).toBeLessThan(1e-12);
  for (let i = 1; i < k; i++) expect(svd.S[i]).toBeLessThanOrEqual(svd.S[i - 1]);
  for (let i = 0; i < k; i++) expect(svd.S[i]).toBeGreaterThanOrEqual(0);
  // Independent check: σ² = eigenvalues of the smaller Gram matrix (Sturm bisection oracle).
  const gram = m >= n ? matmul64(a, m, n, a, m, n, true, false) : matmul64(a, m, n, a, m, n, false, true);
  const lam = symEigenvaluesBisect(gram, k);
  const lmax = Math.max(lam[0], 1e-300);
  for (let i = 0; i < k; i++) expect(Math.abs(svd.S[i] ** 2 - lam[i])).toBeLessThan(1e-11 * lmax);
  return svd;
}

describe('svdJacobi', () => {
  const rng = new Rng(1234);
  for (const [m, n] of [
    [1, 1],
    [1, 17],
    [17, 1],
    [17, 3],
    [3, 17],
    [65, 33],
    [33, 65],
    [20, 20],
    [200, 20],
    [20, 200],
  ]) {
    it(`random ${m}×${n}`, () => {
      check(rng.normals(m * n), m, n);
    });
  }

  it('rank-deficient (rank 3 in 30×12 and 12×30), exact zeros, zero matrix', () => {
    const U = gramSchmidt(rng.normals(30 * 3), 30, 3);
    const V = gramSchmidt(rng.normals(12 * 3), 12, 3);
    const a = fromFactors(U, [5, 2, 0.5], V, 30, 12, 3);
    const s = check(a, 30, 12);
    expect(s.S[0]).toBeCloseTo(5, 12);
    expect(s.S[1]).toBeCloseTo(2, 12);
    expect(s.S[2]).toBeCloseTo(0.5, 12);
    for (let i = 3; i < 12; i++) expect(s.S[i]).toBeLessThan(1e-13);
    const at = new Float64Array(12 * 30);
    for (let i = 0; i < 30; i++) for (let j = 0; j < 12; j++) at[j * 30 + i] = a[i * 12 + j];
    const st = check(at, 12, 30);
    for (let i = 0; i < 12; i++) expect(Math.abs(st.S[i] - s.S[i])).toBeLessThan(1e-13);
    // Duplicate columns and a zero column.
    const b = new Float64Array(9 * 4);
    for (let i = 0; i < 9; i++) {
      b[i * 4] = i + 1;
      b[i * 4 + 1] = i + 1;
      b[i * 4 + 3] = (i % 3) - 1;
    }
    const sb = check(b, 9, 4);
    expect(sb.S[2]).toBeLessThan(1e-13);
    expect(sb.S[3]).toBeLessThan(1e-13);
    const z = check(new Float64Array(5 * 3), 5, 3);
    expect(Array.from(z.S)).toEqual([0, 0, 0]);
  });

  it('recovers known singular values and is deterministic with normalised signs', () => {
    const U = gramSchmidt(rng.normals(40 * 6), 40, 6);
    const V = gramSchmidt(rng.normals(25 * 6), 25, 6);
    const sig = [10, 4, 4 - 1e-6, 1, 1e-3, 1e-8];
    const a = fromFactors(U, sig, V, 40, 25, 6);
    const s1 = svdJacobi(a, 40, 25);
    for (let i = 0; i < 6; i++) expect(Math.abs(s1.S[i] - sig[i])).toBeLessThan(1e-12 * 10);
    const s2 = svdJacobi(a.slice(), 40, 25);
    expect(s2.U).toEqual(s1.U);
    expect(s2.V).toEqual(s1.V);
    // Sign rule: largest-magnitude entry of each u_i is positive.
    for (let t = 0; t < s1.k; t++) {
      let best = 0;
      for (let i = 0; i < 40; i++)
        if (Math.abs(s1.U[i * s1.k + t]) > Math.abs(best)) best = s1.U[i * s1.k + t];
      expect(best).toBeGreaterThan(0);
    }
  });

  it('truncatedSvdCpu returns the top r with Eckart–Young error', () => {
    const m = 17;
    const n = 11;
    const a = rng.normals(m * n);
    const full = svdJacobi(a, m, n);
    const r = 4;
    const t = truncatedSvdCpu(a, m, n, r);
    expect(t.k).toBe(r);
    expect(t.U.length).toBe(m * r);
    expect(t.V.length).toBe(n * r);
    expect(Array.from(t.S)).toEqual(Array.from(full.S.slice(0, r)));
    const approx = svdReconstruct(t, m, n);
    let err = 0;
    for (let i = 0; i < m * n; i++) err += (a[i] - approx[i]) ** 2;
    let tail = 0;
    for (let i = r; i < full.k; i++) tail += full.S[i] ** 2;
    expect(Math.abs(Math.sqrt(err) - Math.sqrt(tail))).toBeLessThan(1e-12 * full.S[0]);
    expect(() => truncatedSvdCpu(a, m, n, 12)).toThrow(/rank/);
  });

  it('rejects malformed input', () => {
    expect(() => svdJacobi(new Float64Array(5), 2, 3)).toThrow(/6 entries/);
    expect(() => svdJacobi(new Float64Array(0), 0, 3)).toThrow(/positive/);
    expect(() => svdJacobi(Float64Array.of(1, Number.NaN), 1, 2)).toThrow(/finite/);
  });
});

describe('symEigenvaluesBisect oracle', () => {
  it('matches a diagonal matrix and a known 2×2', () => {
    const d = Float64Array.of(3, 0, 0, 0, -1, 0, 0, 0, 7);
    expect(Array.from(symEigenvaluesBisect(d, 3)).map((x) => +x.toFixed(12))).toEqual([7, 3, -1]);
    const b = Float64Array.of(2, 1, 1, 2);
    const l = symEigenvaluesBisect(b, 2);
    expect(l[0]).toBeCloseTo(3, 13);
    expect(l[1]).toBeCloseTo(1, 13);
  });
});
