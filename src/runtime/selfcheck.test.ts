/** The page's kernel self-check, run here on Dawn (real WebGPU): it passes, and it can fail. */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import * as ref from '../reference/dense';
import * as ops from '../tensor/ops';
import { Tensor, tidy } from '../tensor/tensor';
import { CHECKS, type Check, runChecks, runSelfCheck } from './selfcheck';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

describe('kernel self-check', () => {
  it('every check passes on this device, with a finite error within its bound', async () => {
    const started: string[] = [];
    const streamed: string[] = [];
    const results = await runSelfCheck(gpu, {
      onStart: (_, name) => started.push(name),
      onResult: (r) => streamed.push(r.name),
    });
    expect(results.map((r) => r.name)).toEqual(CHECKS.map((c) => c.name));
    expect(started).toEqual(streamed);
    for (const r of results) {
      expect(r.ok, `${r.name}: ${r.maxError} > ${r.bound} (${r.detail})`).toBe(true);
      expect(Number.isFinite(r.maxError)).toBe(true);
      expect(r.maxError).toBeLessThanOrEqual(r.bound);
    }
    // The checks cover the kinds the page promises: GEMM with transposes, softmax, a reduction,
    // an elementwise op and a backward pass.
    const names = results.map((r) => r.name).join(' | ');
    for (const kind of ['Aᵀ', 'Bᵀ', 'softmax', 'sum', 'gelu', 'backward']) expect(names).toContain(kind);
  });

  it('reports a wrong result and a throwing kernel as failures, and keeps going', async () => {
    const wrongOracle: Check = {
      name: 'matmul against a transposed oracle',
      detail: '5×3 · 3×5',
      bound: 1e-5,
      run: async (g, rng) => {
        const A = ref.arr(Float32Array.from(rng.normals(15)), [5, 3]);
        const B = ref.arr(Float32Array.from(rng.normals(15)), [3, 5]);
        const c = tidy(() =>
          ops.matmul(Tensor.fromArray(g, A.data, A.shape), Tensor.fromArray(g, B.data, B.shape)),
        );
        const got = await c.read();
        c.dispose();
        return ref.relMaxError(got, ref.transpose(ref.matmul(A, B)).data);
      },
    };
    const throwing: Check = {
      name: 'shape mismatch',
      detail: '3×4 · 5×6',
      bound: 1e-5,
      run: async (g) => {
        tidy(() => ops.matmul(Tensor.zeros(g, [3, 4]), Tensor.zeros(g, [5, 6])));
        return 0;
      },
    };
    const results = await runChecks(gpu, [wrongOracle, throwing, CHECKS[0]]);
    expect(results[0].ok).toBe(false);
    expect(results[0].maxError).toBeGreaterThan(results[0].bound);
    expect(results[1].ok).toBe(false);
    expect(Number.isNaN(results[1].maxError)).toBe(true);
    expect(results[1].detail).toMatch(/inner sizes differ/);
    expect(results[2].ok).toBe(true);
  });
});
