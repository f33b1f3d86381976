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
import { eigh } from './eigh';

function randomSymmetric(rng: Rng, n: number): Float64Array {
  const g = rng.normals(n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = g[i * n + j] + g[j * n + i];
  return a;
}

function check(a: Float64Array, n: number) {
  const { values, vectors } = eigh(a, n);
  let amax = 1e-300;
  for (const x of a) amax = Math.max(amax, Math.abs(x));
  // A·V = V·diag(λ)
  const av = matmul64(a, n, n, vectors, n, n);
  const vl = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vl[i * n + j] = vectors[i * n + j] * values[j];
  expect(maxAbsDiff(av, vl)).toBeLessThan(1e-12 * amax * Math.max(1, Math.sqrt(n)));
  expect(orthonormalityError(vectors, n, n)).toBeLessThan(1e-12);
  for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
  const oracle = symEigenvaluesBisect(a, n);
  expect(maxAbsDiff(values, oracle)).toBeLessThan(1e-12 * amax * n);
  return { values, vectors };
}

describe('eigh (cyclic Jacobi)', () => {
  const rng = new Rng(77);
  for (const n of [1, 2, 3, 17, 33, 65]) {
    it(`random symmetric ${n}×${n}`, () => {
      check(randomSymmetric(rng, n), n);
    });
  }

  it('PSD low-rank with repeated and zero eigenvalues', () => {
    const n = 20;
    const U = gramSchmidt(rng.normals(n * 4), n, 4);
    const lam = [3, 3, 1, 1e-6];
    const a = fromFactors(U, lam, U, n, n, 4);
    const { values, vectors } = check(a, n);
    for (let i = 0; i < 4; i++) expect(values[i]).toBeCloseTo(lam[i], 12);
    for (let i = 4; i < n; i++) expect(Math.abs(values[i])).toBeLessThan(1e-13);
    // Eigenvector of the simple eigenvalue 1 is ±U[:,2].
    let dot = 0;
    for (let i = 0; i < n; i++) dot += vectors[i * n + 2] * U[i * 4 + 2];
    expect(Math.abs(dot)).toBeCloseTo(1, 10);
  });

  it('indefinite diagonal, identity and zero', () => {
    const d = Float64Array.of(-2, 0, 0, 0, 5, 0, 0, 0, 1);
    const r = eigh(d, 3);
    expect(Array.from(r.values)).toEqual([5, 1, -2]);
    expect(Array.from(r.vectors)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    const z = eigh(new Float64Array(4), 2);
    expect(Array.from(z.values)).toEqual([0, 0]);
    expect(orthonormalityError(z.vectors, 2, 2)).toBe(0);
  });

  it('is deterministic, valuesOnly agrees, and rejects bad input', () => {
    const a = randomSymmetric(rng, 9);
    const r1 = eigh(a, 9);
    const r2 = eigh(a.slice(), 9);
    expect(r2.vectors).toEqual(r1.vectors);
    expect(eigh(a, 9, { valuesOnly: true }).values).toEqual(r1.values);
    const asym = Float64Array.of(1, 2, 0, 1);
    expect(() => eigh(asym, 2)).toThrow(/not symmetric/);
    expect(() => eigh(new Float64Array(3), 2)).toThrow(/4 entries/);
    expect(() => eigh(Float64Array.of(Number.POSITIVE_INFINITY), 1)).toThrow(/finite/);
  });
});
