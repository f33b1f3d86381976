/**
 * Kind `speedup`, schema half: config and summary schemas and the spec checks at every size (run()
 * is in ./speedup.ts).
 */
import { z } from 'zod';
import { FamilySpec } from '../structured/specs';
import { checkSpec } from './approximation.schema';
import { configSchema, defineKindSchema, InputError } from './envelope';

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

export const speedupSchema = defineKindSchema({
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
});
