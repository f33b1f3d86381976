/**
 * Sparse families' apply() against our dense GEMM on the same layer shape: Y = X·Wᵀ with
 * X [64, n], W [n, n], n = 256 and 512.
 *   sparse 10%            CSR SpMM (shaders/sparse.wgsl), flop ratio dense / sparse = 10
 *   nm-sparse 2:4         packed-index N:M kernel (shaders/nm-sparse.wgsl), flop ratio 2
 *   sparse+lowrank        SLTrain, r = n/32, density 3%: H = X·Aᵀ (thin GEMM), then X·Sᵀ + H·Bᵀ in
 *                         one fused pass (spmmLowRank), flop ratio ≈ 10.8
 * The sparse 10% and 2:4 applies include their input packing pass (X transposed into a padded
 * [n, 64] layout), so each is two dispatches, like sparse+lowrank.
 * Efficiency = speedup ÷ flop ratio; flops are each family's flops(64). Each apply is checked
 * against the f64 oracle (bench/oracle.ts) before it is timed. The dense baseline runs under the
 * adapter's GEMM profile (bench/dense-baseline.ts).
 */
import { registerBench } from '../src/bench/registry';
import { familyOf } from '../src/structured/registry';
import type { FamilySpec } from '../src/structured/specs';
import { registerDenseBaseline } from './dense-baseline';
import { checkApply } from './oracle';
import '../src/structured/sparse';
import '../src/structured/nm-sparse';
import '../src/structured/sparse-lowrank';
import { Tensor } from '../src/tensor/tensor';

export const SPARSE_BATCH = 64;
export const SPARSE_SIZES = [256, 512];

/** The families timed, with their spec at size n (flops come from each member's flops(b)). */
export function sparseBenchFamilies(n: number): Array<{ name: string; spec: FamilySpec }> {
  const r = n / 32;
  return [
    { name: 'sparse 10%', spec: { family: 'sparse', density: 0.1 } },
    { name: 'nm-sparse 2:4', spec: { family: 'nm-sparse', n: 2, m: 4 } },
    {
      name: `sparse+lowrank r=${r} 3%`,
      spec: { family: 'sparse+lowrank', rank: r, density: 0.03, rounds: 1 },
    },
  ];
}

for (const n of SPARSE_SIZES) {
  const b = SPARSE_BATCH;
  const shape = `${b}×${n}·(${n}×${n})ᵀ`;
  const group = 'sparse';

  registerDenseBaseline(group, shape, b, n);

  for (const f of sparseBenchFamilies(n))
    registerBench({
      group,
      name: f.name,
      shape,
      baseline: 'dense',
      versusTf: true,
      setup({ gpu, rng }) {
        const x = Tensor.randn(gpu, [b, n], rng);
        const m = familyOf(f.spec).random(gpu, n, n, f.spec, { rng });
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
}
