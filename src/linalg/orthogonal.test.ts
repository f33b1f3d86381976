import { describe, expect, it } from 'vitest';
import { frobenius, matmul64, orthonormalityError } from '../reference/linalg';
import { svd as svd64 } from '../reference/lowrank';
import { Rng } from '../tensor/rng';
import { matrixWithSpectrum, randomOrthogonal, randomOrthonormal } from './orthogonal';

describe('randomOrthogonal', () => {
  it('is orthogonal, seeded, and keeps norms under repeated multiplication', () => {
    for (const n of [1, 3, 17, 33]) {
      const q = randomOrthogonal(n, new Rng(n));
      expect(orthonormalityError(q, n, n)).toBeLessThan(1e-13);
      expect(randomOrthogonal(n, new Rng(n))).toEqual(q);
    }
    expect(randomOrthogonal(8, new Rng(1))).not.toEqual(randomOrthogonal(8, new Rng(2)));
    const n = 16;
    const rng = new Rng(9);
    let x = rng.normals(n);
    const n0 = frobenius(x);
    for (let i = 0; i < 50; i++) x = matmul64(randomOrthogonal(n, rng), n, n, x, n, 1);
    expect(frobenius(x) / n0).toBeCloseTo(1, 12);
  });

  it('randomOrthonormal and matrixWithSpectrum', () => {
    const q = randomOrthonormal(20, 5, new Rng(3));
    expect(orthonormalityError(q, 20, 5)).toBeLessThan(1e-13);
    const sig = [5, 3, 1, 0.1];
    const a = matrixWithSpectrum(12, 9, sig, new Rng(4));
    const s = svd64(a, 12, 9).S;
    for (let i = 0; i < 4; i++) expect(s[i]).toBeCloseTo(sig[i], 12);
    expect(s[4]).toBeLessThan(1e-13);
    expect(() => randomOrthonormal(3, 4, new Rng(1))).toThrow(/k ≤ n/);
  });
});
