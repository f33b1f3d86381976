/**
 * Block-diagonal (8 blocks), Monarch (m1 = the divisor of n closest to √n) and Kronecker-sum
 * (4 terms, Compacter's 4 × 4 A_i) apply() against our dense GEMM on the same layer shape:
 * Y = X·Wᵀ with X [64, n], W [n, n], n = 256 and 512. Efficiency = speedup ÷ (dense flops /
 * structured flops); the structured flops are each family's flops(64). Each apply is checked
 * against the f64 oracle (bench/oracle.ts) before it is timed. Monarch's two factor products are
 * also timed alone, to show where its time goes.
 */
import { registerBench } from '../src/bench/registry';
import type { Gpu } from '../src/gpu/device';
import { blockDiagMatmul, blockKernels } from '../src/ops/blockdiag-matmul';
import { blockdiagFamily } from '../src/structured/blockdiag';
import { kroneckerFamily, kroneckerKernels } from '../src/structured/kronecker';
import { type MonarchMatrix, monarchFamily } from '../src/structured/monarch';
import type { FamilySpec } from '../src/structured/specs';
import type { StructuredMatrix } from '../src/structured/types';
import type { Rng } from '../src/tensor/rng';
import { Tensor } from '../src/tensor/tensor';
import { registerDenseBaseline } from './dense-baseline';
import { checkApply } from './oracle';

export const BLOCKDIAG_BATCH = 64;
export const BLOCKDIAG_SIZES = [256, 512];

type Maker = (gpu: Gpu, n: number, rng: Rng) => StructuredMatrix;

const families: Array<{ group: string; spec: (n: number) => FamilySpec; make: Maker }> = [
  {
    group: 'blockdiag',
    spec: () => ({ family: 'blockdiag', blocks: 8 }),
    make: (gpu, n, rng) => blockdiagFamily.random(gpu, n, n, { family: 'blockdiag', blocks: 8 }, { rng }),
  },
  {
    group: 'monarch',
    spec: () => ({ family: 'monarch' }),
    make: (gpu, n, rng) => monarchFamily.random(gpu, n, n, { family: 'monarch' }, { rng }),
  },
  {
    group: 'kronecker',
    spec: () => ({ family: 'kronecker', terms: 4 }),
    make: (gpu, n, rng) => kroneckerFamily.random(gpu, n, n, { family: 'kronecker', terms: 4 }, { rng }),
  },
];

for (const n of BLOCKDIAG_SIZES) {
  const b = BLOCKDIAG_BATCH;
  for (const fam of families) {
    const shape = `${b}×${n}·(${n}×${n})ᵀ, ${JSON.stringify(fam.spec(n))}`;
    registerDenseBaseline(fam.group, shape, b, n);
    registerBench({
      group: fam.group,
      name: fam.group,
      shape,
      baseline: 'dense',
      versusTf: true,
      async setup({ gpu, rng }) {
        await gpu.precompile([...blockKernels(), ...kroneckerKernels()]);
        const x = Tensor.randn(gpu, [b, n], rng);
        const m = fam.make(gpu, n, rng);
        return {
          flops: m.flops(b),
          check: () => checkApply(m, x),
          run: () => m.apply(x).dispose(),
          dispose: () => {
            x.dispose();
            m.dispose();
          },
        };
      },
    });
    if (fam.group === 'monarch')
      for (const stage of [1, 2] as const)
        registerBench({
          group: fam.group,
          name: `factor ${stage === 1 ? 'R' : 'L'} only`,
          shape,
          baseline: 'dense',
          setup({ gpu, rng }) {
            const m = fam.make(gpu, n, rng) as MonarchMatrix;
            const geo = stage === 1 ? m.stage1 : m.stage2;
            const x = Tensor.randn(gpu, [b, geo.xLen], rng);
            const w = stage === 1 ? m.w1 : m.w2;
            // One factor: m1 blocks of m2 × P (R) or m2 blocks of Q × m1 (L), i.e. its stored numbers.
            const { m1, m2, P, Q } = m.shape;
            return {
              flops: 2 * b * (stage === 1 ? m1 * m2 * P : m2 * Q * m1),
              run: () => blockDiagMatmul(x, w, geo).dispose(),
              dispose: () => {
                x.dispose();
                m.dispose();
              },
            };
          },
        });
  }
}
