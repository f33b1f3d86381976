/**
 * Kind `speedup`: structured kernels × sizes × batches on this GPU. For each family spec, square
 * size n and batch b: a seeded random member, X [b, n], and the GPU time of apply(X) against the
 * dense GEMM X·Wᵀ (src/tensor/ops.ts matmul) measured in the same run — warm-up, then the median
 * of `repeats` timestamp-query samples. Reports ms, dense ms, speedup, efficiency (speedup divided
 * by the flop ratio: 1 means the kernel runs as fast per flop as the dense GEMM) and GFLOP/s.
 */
import { z } from 'zod';
import { getFamily } from '../structured/registry';
import { FamilySpec } from '../structured/specs';
import { matmul } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { checkSpec } from './approximation';
import { configSchema, defineExperiment, InputError, type KindEvent, throwIfAborted } from './envelope';
import { timeGpu } from './measure';

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
  ms: z.number(),
  denseMs: z.number(),
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
  timingFields: ['ms', 'denseMs', 'speedup', 'efficiency', 'gflops'],
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
    const denseCache = new Map<string, number>();
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
          try {
            const key = `${n}x${b}`;
            let denseMs = denseCache.get(key);
            if (denseMs === undefined) {
              const W = Tensor.randn(gpu, [n, n], krng.fork());
              try {
                denseMs = await timeGpu(
                  gpu,
                  () => tidy(() => void matmul(x, W, { transB: true })),
                  config.warmup,
                  config.repeats,
                );
              } finally {
                W.dispose();
              }
              denseCache.set(key, denseMs);
            }
            const ms = await timeGpu(gpu, () => tidy(() => void M.apply(x)), config.warmup, config.repeats);
            const flops = M.flops(b);
            const denseFlops = 2 * b * n * n;
            const sp = ms > 0 ? denseMs / ms : 0;
            const row = {
              label,
              family: spec.family,
              n,
              batch: b,
              params: M.params,
              flops,
              denseFlops,
              ms,
              denseMs,
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
