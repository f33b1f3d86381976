/**
 * Kind `speedup`: structured kernels × sizes × batches on this GPU. For each family spec, square
 * size n and batch b: a seeded random member, X [b, n], and the GPU time of apply(X) against the
 * dense GEMM X·Wᵀ (src/tensor/ops.ts matmul) on the same X — warm-up, then `repeats` rounds that
 * each time both, alternating which goes first (measure.ts timeAlternating), so drift hits both
 * alike. Reports median ms with min–max and the sample count for each, the speedup (median over
 * rounds of dense ms / structured ms, paired within a round), efficiency (speedup divided by the
 * flop ratio: 1 means the kernel runs as fast per flop as the dense GEMM) and GFLOP/s.
 */
import { z } from 'zod';
import { median } from '../gpu/stats';
import { getFamily } from '../structured/registry';
import { FamilySpec } from '../structured/specs';
import { matmul } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { checkSpec } from './approximation';
import { configSchema, defineExperiment, InputError, type KindEvent, throwIfAborted } from './envelope';
import { timeAlternating, timeStatsOf } from './measure';

export const MAX_SPEEDUP_N = 4096;

export const SpeedupConfig = configSchema('speedup', {
  kernels: z.array(FamilySpec).min(1).max(16),
  /** Square sizes n (W is n × n). */
  sizes: z.array(z.number().int().min(2).max(MAX_SPEEDUP_N)).min(1).max(8),
  /** Rows of X. */
  batch: z.array(z.number().int().min(1).max(8192)).min(1).max(4).default([64]),
  warmup: z.number().int().min(0).max(20).default(2),
  repeats: z.number().int().min(5).max(51).default(5),
});
export type SpeedupConfig = z.infer<typeof SpeedupConfig>;

const KernelResult = z.object({
  label: z.string(),
  family: z.string(),
  n: z.number(),
  batch: z.number(),
  params: z.number(),
  /** Flops of one apply (2 × multiply-adds). */
  flops: z.number(),
  denseFlops: z.number(),
  /** Median ms per apply, and the fastest and slowest sample. */
  ms: z.number(),
  msMin: z.number(),
  msMax: z.number(),
  denseMs: z.number(),
  denseMsMin: z.number(),
  denseMsMax: z.number(),
  /** Timed samples of each (= the config's repeats). */
  samples: z.number(),
  /** Calls per sample (each sample's time is divided by it): enough to span ≥ 100 clock steps. */
  reps: z.number(),
  /** Median over rounds of denseMs / ms, paired within each round. */
  speedup: z.number(),
  efficiency: z.number(),
  gflops: z.number(),
});
export const SpeedupSummary = z.object({
  timing: z.enum(['timestamp-query', 'wall-clock']),
  kernels: z.array(KernelResult),
});
export type SpeedupSummary = z.infer<typeof SpeedupSummary>;

export const speedup = defineExperiment({
  kind: 'speedup',
  title: 'Structured kernels vs the dense GEMM on this GPU (ms, speedup, GFLOP/s)',
  config: SpeedupConfig,
  summary: SpeedupSummary,
  // 'timing' is how times were measured (timestamp-query or wall clock): it differs between a
  // browser and Node on the same machine, so re-running a result must not count it as a figure.
  timingFields: [
    'timing',
    'ms',
    'msMin',
    'msMax',
    'denseMs',
    'denseMsMin',
    'denseMsMax',
    'reps',
    'speedup',
    'efficiency',
    'gflops',
  ],
  timingSeries: ['speedup/', 'ms/'],
  check(config) {
    config.kernels.forEach((s, i) => {
      for (const n of config.sizes) {
        try {
          checkSpec(s, n, n, `kernels[${i}]`);
        } catch (e) {
          if (e instanceof InputError) throw new InputError(`${e.detail} (at size n = ${n})`, e.path);
          throw e;
        }
      }
    });
  },
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
      const def = getFamily(spec.family);
      for (const n of config.sizes) {
        for (const b of config.batch) {
          throwIfAborted(ctx.signal);
          const label = `${def.label(spec as never)} n=${n} b=${b}`;
          yield { type: 'progress', fraction: done / total, message: label };
          const krng = rng.fork();
          const x = Tensor.randn(gpu, [b, n], krng);
          const M = def.random(gpu, n, n, spec as never, { rng: krng });
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
              series: `speedup/${def.label(spec as never)} b=${b}`,
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
