/**
 * Kind `speedup`: structured kernels × sizes × batches on this GPU. For each family spec, square
 * size n and batch b: a seeded random member, X [b, n], and the GPU time of apply(X) against the
 * dense GEMM X·Wᵀ (src/tensor/ops.ts matmul) on the same X — warm-up, then `repeats` rounds that
 * each time both, alternating which goes first (measure.ts timeAlternating), so drift hits both
 * alike. Reports median ms with min–max and the sample count for each, the speedup (median over
 * rounds of dense ms / structured ms, paired within a round), efficiency (speedup divided by the
 * flop ratio: 1 means the kernel runs as fast per flop as the dense GEMM) and GFLOP/s.
 */
import { median } from '../gpu/stats';
import { familyOf } from '../structured/registry';
import { specLabel } from '../structured/specs';
import { matmul } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { defineExperiment, type KindEvent, throwIfAborted } from './envelope';
import { timeAlternating, timeStatsOf } from './measure';
import { type SpeedupSummary, speedupSchema } from './speedup.schema';

export const speedup = defineExperiment({
  ...speedupSchema,
  async *run(config, ctx): AsyncGenerator<KindEvent, SpeedupSummary> {
    const rng = new Rng(config.seed);
    const gpu = ctx.gpu;
    const summary: SpeedupSummary = {
      timing: gpu.hasTimestamps ? 'timestamp-query' : 'wall-clock',
      kernels: [],
    };
    ctx.setSummary(summary);
    const total = config.kernels.length * config.sizes.length * config.batch.length;
    let done = 0;
    for (let i = 0; i < config.kernels.length; i++) {
      const spec = config.kernels[i];
      const def = familyOf(spec);
      for (const n of config.sizes) {
        for (const b of config.batch) {
          throwIfAborted(ctx.signal);
          const label = `${specLabel(spec)} n=${n} b=${b}`;
          yield { type: 'progress', fraction: done / total, message: label };
          const krng = rng.fork();
          const x = Tensor.randn(gpu, [b, n], krng);
          const M = def.random(gpu, n, n, spec, { rng: krng });
          const W = Tensor.randn(gpu, [n, n], krng.fork());
          try {
            // Dense and structured alternate in every round: no cached dense time.
            const { samples, reps } = await timeAlternating(
              gpu,
              [() => tidy(() => void matmul(x, W, { transB: true })), () => tidy(() => void M.apply(x))],
              config.warmup,
              config.repeats,
            );
            const dense = timeStatsOf(samples[0]);
            const own = timeStatsOf(samples[1]);
            const ms = own.median;
            const denseMs = dense.median;
            const flops = M.flops(b);
            const denseFlops = 2 * b * n * n;
            const sp = median(samples[1].map((t, r) => (t > 0 ? samples[0][r] / t : 0)));
            const row = {
              label,
              family: spec.family,
              n,
              batch: b,
              params: M.params,
              flops,
              denseFlops,
              ms,
              msMin: own.min,
              msMax: own.max,
              denseMs,
              denseMsMin: dense.min,
              denseMsMax: dense.max,
              samples: own.n,
              reps,
              speedup: sp,
              efficiency: flops > 0 ? (sp * flops) / denseFlops : 0,
              gflops: ms > 0 ? flops / (ms * 1e6) : 0,
            };
            summary.kernels.push(row);
            yield {
              type: 'metric',
              series: `speedup/${specLabel(spec)} b=${b}`,
              step: n,
              value: row.speedup,
            };
          } finally {
            W.dispose();
            M.dispose();
            x.dispose();
          }
          done++;
        }
      }
    }
    yield { type: 'progress', fraction: 1, message: 'done' };
    return summary;
  },
});
