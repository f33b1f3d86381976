/**
 * The baselines every structured-family bench compares with, registered in the family's case
 * (group + shape) so they alternate with it within each round: our dense GEMM on the same layer,
 * Y = X·Wᵀ with X [b, n] and W [n, n] (under the GEMM profile bench/main.ts set for the adapter,
 * 'cpu' on SwiftShader: our best dense GEMM there), and TF.js's matMul on the same operands under
 * each of its matmul programs (bench/tf.ts), the fastest of which is the "best TF.js" rival.
 */
import { registerBench } from '../src/bench/registry';
import { matmul } from '../src/tensor/ops';
import { Tensor } from '../src/tensor/tensor';
import { checkDense } from './oracle';
import { checkTfMatMul, TF_MATMUL_PROGRAMS, tf, tfMatMul, tfSubmit } from './tf';

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
        check: () => checkDense(matmul(x, w, { transB: true }), x, w),
        run: () => matmul(x, w, { transB: true }).dispose(),
        dispose: () => {
          x.dispose();
          w.dispose();
        },
      };
    },
  });
  for (const prog of TF_MATMUL_PROGRAMS)
    registerBench({
      group,
      name: prog.name,
      note: prog.note,
      shape,
      flops: 2 * b * n * n,
      setup({ rng }) {
        const xData = Float32Array.from(rng.normals(b * n, 1));
        const wData = Float32Array.from(rng.normals(n * n, 1 / Math.sqrt(n)));
        const x = tf.tensor(xData, [b, n], 'float32');
        const w = tf.tensor(wData, [n, n], 'float32');
        const dims = { M: b, K: n, N: n, transA: false, transB: true };
        return {
          check: () =>
            checkTfMatMul(tfMatMul(prog.type, x, w, false, true), xData, wData, dims, (k) => rng.int(k)),
          run: () => tfMatMul(prog.type, x, w, false, true).dispose(),
          submit: tfSubmit,
          dispose: () => {
            x.dispose();
            w.dispose();
          },
        };
      },
    });
}
