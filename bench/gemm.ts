/**
 * Dense GEMM benchmarks: our matmul (gemmPlan's choice) against TensorFlow.js's WebGPU matMul on
 * the same device under each of its matmul programs (bench/tf.ts; the speedup is against the fastest
 * per shape), square sizes and the skinny / low-rank shapes structured layers produce. Every bench,
 * ours and TF.js's, checks sampled entries against f64 dot products before it is timed.
 */
import { registerBench } from '../src/bench/registry';
import { chooseGemmVariant, type GemmProfile } from '../src/tensor/gemm-plan';
import { matmul } from '../src/tensor/ops';
import { Tensor } from '../src/tensor/tensor';
import { checkTfMatMul, TF_MATMUL_PROGRAMS, TF_NAMES, tf, tfMatMul, tfSubmit } from './tf';

export interface GemmCase {
  M: number;
  K: number;
  N: number;
  transA?: boolean;
  transB?: boolean;
  quick?: boolean;
}

export function gemmLabel({ M, K, N, transA, transB }: GemmCase): string {
  const a = transA ? `(${K}×${M})ᵀ` : `${M}×${K}`;
  const b = transB ? `(${N}×${K})ᵀ` : `${K}×${N}`;
  return `${a}·${b}`;
}

export const GEMM_CASES: GemmCase[] = [
  { M: 128, K: 128, N: 128 },
  { M: 256, K: 256, N: 256 },
  { M: 512, K: 512, N: 512 },
  { M: 1024, K: 1024, N: 1024, quick: false },
  // Unaligned (K % 4 != 0): the general fallback kernel.
  { M: 257, K: 255, N: 129 },
  // Y = X·Wᵀ: how every Linear layer calls it.
  { M: 256, K: 512, N: 512, transB: true },
  // Skinny and low-rank products.
  { M: 4096, K: 64, N: 4096, quick: false },
  { M: 1, K: 1024, N: 1024 },
  { M: 64, K: 1024, N: 64 },
  { M: 1024, K: 64, N: 1024 },
  { M: 64, K: 4096, N: 64, transA: true },
];

for (const c of GEMM_CASES) {
  const { M, K, N, transA = false, transB = false } = c;
  const shape = gemmLabel(c);
  const aShape = transA ? [K, M] : [M, K];
  const bShape = transB ? [N, K] : [K, N];
  const flops = 2 * M * N * K;
  // The small-output-tile program is for few, small output tiles; on the two big shapes it is ≥ 2×
  // slower than the default already at 512³ and would add ~10 min to a run, so it is not timed there.
  for (const prog of TF_MATMUL_PROGRAMS.filter((p) => c.quick !== false || p.name !== 'tfjs-small'))
    registerBench({
      group: 'gemm',
      name: prog.name,
      note: prog.note,
      shape,
      flops,
      quick: c.quick,
      async setup({ rng }) {
        const aData = Float32Array.from(rng.normals(M * K, 1));
        const bData = Float32Array.from(rng.normals(K * N, 1));
        const a = tf.tensor(aData, aShape, 'float32');
        const b = tf.tensor(bData, bShape, 'float32');
        return {
          check: () =>
            checkTfMatMul(
              tfMatMul(prog.type, a, b, transA, transB),
              aData,
              bData,
              { M, K, N, transA, transB },
              (n) => rng.int(n),
            ),
          run() {
            tfMatMul(prog.type, a, b, transA, transB).dispose();
          },
          submit: tfSubmit,
          dispose() {
            a.dispose();
            b.dispose();
          },
        };
      },
    });
  // Our matmul under each GEMM profile (src/tensor/gemm-plan.ts); one bench when both profiles
  // pick the same kernel. Each checks sampled entries against a float64 dot product first.
  const byProfile = (['cpu', 'gpu'] as GemmProfile[]).map((p) => ({
    p,
    variant: chooseGemmVariant(M, N, K, 1, transA, transB, p),
  }));
  const same = byProfile[0].variant === byProfile[1].variant;
  for (const { p, variant } of same ? byProfile.slice(0, 1) : byProfile) {
    registerBench({
      group: 'gemm',
      name: same ? 'ours' : `ours-${p}`,
      note: variant,
      shape,
      flops,
      baseline: TF_NAMES,
      versusTf: true,
      quick: c.quick,
      async setup({ gpu, rng }) {
        const aData = Float32Array.from(rng.normals(M * K, 1));
        const bData = Float32Array.from(rng.normals(K * N, 1));
        const a = Tensor.fromArray(gpu, aData, aShape);
        const b = Tensor.fromArray(gpu, bData, bShape);
        const op = () => {
          const prev = gpu.variants.profile;
          gpu.variants.profile = p;
          try {
            return matmul(a, b, { transA, transB });
          } finally {
            gpu.variants.profile = prev;
          }
        };
        const first = op();
        const got = await first.read();
        first.dispose();
        let err = 0;
        let scale = 0;
        for (let s = 0; s < 64; s++) {
          const m = rng.int(M);
          const n = rng.int(N);
          let v = 0;
          for (let k = 0; k < K; k++)
            v += aData[transA ? k * M + m : m * K + k] * bData[transB ? n * K + k : k * N + n];
          err = Math.max(err, Math.abs(got[m * N + n] - v));
          scale = Math.max(scale, Math.abs(v));
        }
        if (!(err <= 1e-4 * Math.sqrt(K) * Math.max(scale, 1)))
          throw new Error(`wrong result: max error ${err} on sampled entries (${variant})`);
        const checked = err / (1 + scale);
        return {
          check: async () => checked,
          run() {
            op().dispose();
          },
          dispose() {
            a.dispose();
            b.dispose();
          },
        };
      },
    });
  }
}
