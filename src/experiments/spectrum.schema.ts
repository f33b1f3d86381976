/**
 * Kind `spectrum`, schema half: config and summary schemas and the spec checks (run() is in
 * ./spectrum.ts).
 */
import { z } from 'zod';
import { FamilySpec } from '../structured/specs';
import { checkSpec } from './approximation.schema';
import { configSchema, defineKindSchema } from './envelope';

/** Gallery matrices are analysed with dense O(n³) CPU solvers: keep them small. */
export const MAX_GALLERY_N = 512;
const n = z.number().int().min(2).max(MAX_GALLERY_N).default(64);

const ToeplitzEntry = z.strictObject({
  type: z.literal('toeplitz-bspline'),
  label: z.string().max(200).optional(),
  n,
  p: z.number().int().min(2).max(12).default(3),
  alpha: z.number().gt(1).max(2).default(1.5),
  terms: z.number().int().min(10).max(100_000).default(2000),
});
const StructuredEntry = z.strictObject({
  type: z.literal('structured'),
  label: z.string().max(200).optional(),
  n,
  spec: FamilySpec,
});
const RandomEntry = z.strictObject({
  type: z.literal('random'),
  label: z.string().max(200).optional(),
  n,
  /** Repeated multiplications x ← W x. */
  steps: z.number().int().min(1).max(1000).default(50),
});
const Entry = z.discriminatedUnion('type', [ToeplitzEntry, StructuredEntry, RandomEntry]);

export const SpectrumConfig = configSchema('spectrum', {
  entries: z.array(Entry).min(1).max(16),
});
export type SpectrumConfig = z.infer<typeof SpectrumConfig>;

const EntryResult = z.object({
  label: z.string(),
  type: z.string(),
  n: z.number(),
  /** Largest and smallest eigenvalue (toeplitz) or singular value. */
  max: z.number(),
  min: z.number(),
  /** max / min (Infinity never appears: null when min is 0). */
  condition: z.number().nullable(),
  /** toeplitz-bspline: max_j |λ_j − f(θ_j)| over the sorted lists. */
  symbolMaxAbsDiff: z.number().optional(),
  /** random: ‖x_steps‖ / ‖x_0‖ for the Gaussian and the orthogonal matrix. */
  gaussianNormRatio: z.number().optional(),
  orthogonalNormRatio: z.number().optional(),
});
export const SpectrumSummary = z.object({ entries: z.array(EntryResult) });
export type SpectrumSummary = z.infer<typeof SpectrumSummary>;

export const spectrumSchema = defineKindSchema({
  kind: 'spectrum',
  title: 'Spectra of structured and generated matrices (Toeplitz B-spline, Monarch, random)',
  config: SpectrumConfig,
  summary: SpectrumSummary,
  timingFields: [],
  timingSeries: [],
  check(config) {
    config.entries.forEach((e, i) => {
      if (e.type === 'structured') checkSpec(e.spec, e.n, e.n, `entries[${i}].spec`);
    });
  },
});
