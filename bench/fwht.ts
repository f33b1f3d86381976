/**
 * Fast Walsh–Hadamard transform (shaders/fwht.wgsl) against the dense product by the Hadamard
 * matrix, X·H with our GEMM, on the same batch: X [batch, n] → [batch, n]. Before timing, both
 * outputs are checked against the f64 oracle (src/reference/sketch.ts fwhtRef); a mismatch fails
 * the bench. flops: the dense product's 2·batch·n² for both (so GFLOP/s reads as "dense-equivalent").
 */
import { registerBench } from '../src/bench/registry';
import type { Gpu } from '../src/gpu/device';
import { relMaxError } from '../src/reference/dense';
import { fwhtRef, hadamardDense } from '../src/reference/sketch';
import { fwht } from '../src/sketch/fwht';
import { matmul } from '../src/tensor/ops';
import { Tensor } from '../src/tensor/tensor';

// (n = 16384 would need a 1 GiB dense H: over what SwiftShader allocates here.)
export const FWHT_CASES: Array<{ n: number; batch: number; quick?: boolean }> = [
  { n: 1024, batch: 64 },
  { n: 4096, batch: 64 },
];

async function checkAgainstOracle(gpu: Gpu, y: Tensor, x: Float32Array, n: number, what: string) {
  await gpu.sync();
  const err = relMaxError(await y.read(), fwhtRef(x, n));
  y.dispose();
  if (!(err < 1e-4)) throw new Error(`${what}: differs from the f64 FWHT oracle (relative error ${err})`);
}

for (const { n, batch, quick } of FWHT_CASES) {
  const shape = `${batch}×${n}`;
  const flops = 2 * batch * n * n;
  registerBench({
    group: 'fwht',
    name: 'dense X·H (GEMM)',
    shape,
    flops,
    quick,
    async setup({ gpu, rng }) {
      const xv = Float32Array.from(rng.normals(batch * n));
      const x = Tensor.fromArray(gpu, xv, [batch, n]);
      const h = Tensor.fromArray(gpu, Float32Array.from(hadamardDense(n)), [n, n]);
      await checkAgainstOracle(gpu, matmul(x, h), xv, n, 'dense X·H');
      return {
        run: () => matmul(x, h).dispose(),
        dispose: () => {
          x.dispose();
          h.dispose();
        },
      };
    },
  });
  registerBench({
    group: 'fwht',
    name: 'fwht',
    shape,
    flops,
    quick,
    baseline: 'dense X·H (GEMM)',
    async setup({ gpu, rng }) {
      const xv = Float32Array.from(rng.normals(batch * n));
      const x = Tensor.fromArray(gpu, xv, [batch, n]);
      await checkAgainstOracle(gpu, fwht(x), xv, n, 'fwht');
      return { run: () => fwht(x).dispose(), dispose: () => x.dispose() };
    },
  });
  // Both plans (the 'fwht' row is whichever the device picks).
  for (const variant of ['workgroup', 'registers'] as const)
    registerBench({
      group: 'fwht',
      name: `fwht (${variant})`,
      shape,
      flops,
      quick,
      baseline: 'dense X·H (GEMM)',
      async setup({ gpu, rng }) {
        const xv = Float32Array.from(rng.normals(batch * n));
        const x = Tensor.fromArray(gpu, xv, [batch, n]);
        await checkAgainstOracle(gpu, fwht(x, { variant }), xv, n, `fwht (${variant})`);
        return { run: () => fwht(x, { variant }).dispose(), dispose: () => x.dispose() };
      },
    });
}
