/**
 * The FWHT kernel against the float64 oracle (src/reference/sketch.ts) at every power of two from 1
 * to 2^14 and several batches, H·H = n·I, its backward against finite differences, and the
 * non-power-of-two error. Real WebGPU (Dawn on SwiftShader here).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { numericGrad, relMaxError } from '../reference/dense';
import { fwhtRef, hadamardDense } from '../reference/sketch';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { fwht, fwhtPasses } from './fwht';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(15001);

describe('fwht', () => {
  // f32 sums of n·log n terms of size ~1: relative to the largest output, error ≲ log2(n)·eps·√n.
  for (const variant of ['workgroup', 'registers'] as const)
    for (let L = 0; L <= 14; L++) {
      const n = 2 ** L;
      for (const batch of L <= 8 ? [L % 2 ? 17 : 1] : L <= 12 ? [3] : [2]) {
        for (const normalised of L % 4 === 2 ? [false, true] : [L % 3 === 0]) {
          it(`${variant}: n = ${n}, batch ${batch}, ${normalised ? 'normalised' : 'unnormalised'} matches the f64 oracle`, async () => {
            const x = Float32Array.from(rng.normals(batch * n));
            const t = Tensor.fromArray(gpu, x, [batch, n]);
            const y = fwht(t, { normalised, variant });
            const got = await y.read();
            t.dispose();
            y.dispose();
            expect(relMaxError(got, fwhtRef(x, n, normalised))).toBeLessThan(2e-6 * Math.max(1, L));
          });
        }
      }
    }

  it('plans one pass up to 4096 and a few beyond', () => {
    expect(fwhtPasses(4096)).toEqual([{ g: 4096, lg: 12, stride: 1 }]);
    expect(fwhtPasses(2 ** 14)).toEqual([
      { g: 4096, lg: 12, stride: 1 },
      { g: 4, lg: 2, stride: 4096 },
    ]);
    expect(fwhtPasses(2 ** 24).length).toBe(2);
    expect(fwhtPasses(1)).toEqual([{ g: 1, lg: 0, stride: 1 }]);
    expect(fwhtPasses(2 ** 14, 'registers').map((p) => p.g)).toEqual([16, 16, 16, 4]);
  });

  it('a strided second pass over several rows (n = 2^15, batch 3) matches the oracle', async () => {
    const n = 2 ** 15;
    const x = Float32Array.from(rng.normals(3 * n));
    const t = Tensor.fromArray(gpu, x, [3, n]);
    for (const variant of ['workgroup', 'registers'] as const) {
      const y = fwht(t, { variant });
      expect(relMaxError(await y.read(), fwhtRef(x, n)), variant).toBeLessThan(4e-5);
      y.dispose();
    }
    t.dispose();
  });

  it('transforms the identity into H_n, and H·H = n·I', async () => {
    for (const n of [1, 2, 8, 64]) {
      const I = new Float32Array(n * n);
      for (let i = 0; i < n; i++) I[i * n + i] = 1;
      const t = Tensor.fromArray(gpu, I, [n, n]);
      const H = fwht(t);
      const HH = fwht(H);
      expect(Array.from(await H.read())).toEqual(Array.from(hadamardDense(n)));
      const want = Array.from(I, (v) => v * n);
      expect(Array.from(await HH.read())).toEqual(want);
      for (const u of [t, H, HH]) u.dispose();
    }
  });

  it('normalised twice is the identity (orthogonal, to f32)', async () => {
    const n = 1024;
    const x = Float32Array.from(rng.normals(2 * n));
    const t = Tensor.fromArray(gpu, x, [2, n]);
    const y = tidy(() => fwht(fwht(t, { normalised: true }), { normalised: true }));
    expect(relMaxError(await y.read(), x)).toBeLessThan(1e-5);
    t.dispose();
    y.dispose();
  });

  for (const normalised of [false, true])
    for (const variant of ['workgroup', 'registers'] as const)
      it(`${variant}: backward matches finite differences (${normalised ? 'normalised' : 'unnormalised'})`, async () => {
        const n = 16;
        const batch = 3;
        const x = rng.normals(batch * n);
        const c = rng.normals(batch * n);
        const xt = Tensor.fromArray(gpu, x, [batch, n]).trainable();
        tidy(() => fwht(xt, { normalised, variant }).backward(Tensor.fromArray(gpu, c, [batch, n])));
        const loss = (v: Float64Array) => {
          const y = fwhtRef(v, n, normalised);
          let s = 0;
          for (let i = 0; i < y.length; i++) s += y[i] * c[i];
          return s;
        };
        expect(relMaxError(await xt.grad!.read(), numericGrad(loss, x))).toBeLessThan(1e-5);
        xt.dispose();
      });

  it('rejects a length that is not a power of two, naming it', () => {
    const t = Tensor.zeros(gpu, [2, 12]);
    expect(() => fwht(t)).toThrow(ShapeError);
    expect(() => fwht(t)).toThrow(/length 12 is not a power of two.*pad to 16/);
    t.dispose();
  });
});
