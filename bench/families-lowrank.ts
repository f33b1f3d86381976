/**
 * Low-rank and orthogonal-projection apply() against our dense GEMM on the same layer shape:
 * Y = X·Wᵀ with X [64, n], W [n, n], r = n/16 (n = 256, 512). Flop ratio dense / low-rank =
 * n² / (r·2n) = 8 (flops from each family's flops(64)); efficiency = speedup ÷ flop ratio. Each
 * apply is checked against the f64 oracle (bench/oracle.ts) before it is timed. The two thin products of apply() are also
 * timed alone ('X·Aᵀ only' is the skinny (64×n)·(n×r) GEMM, 'H·Bᵀ only' the (64×r)·(r×n) one) to
 * show which of them costs the time.
 */
import { registerBench } from '../src/bench/registry';
import { getFamily } from '../src/structured/registry';
import { LowRankSpec } from '../src/structured/specs';
import { registerDenseBaseline } from './dense-baseline';
import { checkApply } from './oracle';
import '../src/structured/lowrank';
import '../src/structured/orthoproj';
import { matmul } from '../src/tensor/ops';
import { Tensor } from '../src/tensor/tensor';

export const LOWRANK_BATCH = 64;
export const LOWRANK_SIZES = [256, 512];

for (const n of LOWRANK_SIZES) {
  const b = LOWRANK_BATCH;
  const r = n / 16;
  const shape = `${b}×${n}·(${n}×${n})ᵀ, r = ${r}`;
  const group = 'lowrank';

  registerDenseBaseline(group, shape, b, n);

  for (const family of ['lowrank', 'orthoproj'] as const)
    registerBench({
      group,
      name: family,
      shape,
      baseline: 'dense',
      versusTf: true,
      setup({ gpu, rng }) {
        const x = Tensor.randn(gpu, [b, n], rng);
        const m =
          family === 'lowrank'
            ? getFamily('lowrank').random(gpu, n, n, LowRankSpec.parse({ family, rank: r }), { rng })
            : getFamily('orthoproj').random(gpu, n, n, { family, rank: r }, { rng });
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

  // The two products of lowrank apply(), alone.
  registerBench({
    group,
    name: 'X·Aᵀ only',
    shape,
    flops: 2 * b * r * n,
    baseline: 'dense',
    setup({ gpu, rng }) {
      const x = Tensor.randn(gpu, [b, n], rng);
      const a = Tensor.randn(gpu, [r, n], rng);
      return {
        run: () => matmul(x, a, { transB: true }).dispose(),
        dispose: () => {
          x.dispose();
          a.dispose();
        },
      };
    },
  });
  registerBench({
    group,
    name: 'H·Bᵀ only',
    shape,
    flops: 2 * b * r * n,
    baseline: 'dense',
    setup({ gpu, rng }) {
      const h = Tensor.randn(gpu, [b, r], rng);
      const bm = Tensor.randn(gpu, [n, r], rng);
      return {
        run: () => matmul(h, bm, { transB: true }).dispose(),
        dispose: () => {
          h.dispose();
          bm.dispose();
        },
      };
    },
  });
}
