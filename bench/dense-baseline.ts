/**
 * The baseline every structured-family bench compares with: our dense GEMM on the same layer,
 * Y = X·Wᵀ with X [b, n] and W [n, n], registered in the family's case (group + shape) so the two
 * alternate within each round. It runs under the GEMM profile bench/main.ts set for the adapter
 * ('cpu' on SwiftShader), i.e. our best dense GEMM on that device.
 */
import { registerBench } from '../src/bench/registry';
import { matmul } from '../src/tensor/ops';
import { Tensor } from '../src/tensor/tensor';

export function registerDenseBaseline(group: string, shape: string, b: number, n: number): void {
  registerBench({
    group,
    name: 'dense',
    shape,
    flops: 2 * b * n * n,
    setup({ gpu, rng }) {
      const x = Tensor.randn(gpu, [b, n], rng);
      const w = Tensor.randn(gpu, [n, n], rng, 1 / Math.sqrt(n));
      return {
        run: () => matmul(x, w, { transB: true }).dispose(),
        dispose: () => {
          x.dispose();
          w.dispose();
        },
      };
    },
  });
}
