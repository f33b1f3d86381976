/**
 * Kind `pretrain` — config and summary schemas (zod only). Trains the tiny char-level transformer
 * on a corpus once per entry of `models`, every Linear in the blocks dense or structured, and
 * streams `loss/<label>` (every step) and `valLoss/<label>` (every evalEvery steps and at the end).
 */
import { z } from 'zod';
import { CORPUS_NAMES } from '../data/corpus-names';
import { OptimizerSpec, ScheduleSpec } from '../nn/optim/schema';
import { LinearSpec, TransformerSpec } from '../nn/transformer.schema';
import { FAMILY_NAMES } from '../structured/specs';
import { configSchema } from './envelope';

export const MAX_PRETRAIN_STEPS = 20_000;
export const MAX_BATCH_TOKENS = 16_384;

/** A model to train: an explicit Linear spec, or a family whose spec is matched to `budget`. */
export const PretrainModel = z.union([
  z.strictObject({ label: z.string().min(1).max(60).optional(), linear: LinearSpec }),
  z.strictObject({
    label: z.string().min(1).max(60).optional(),
    /** The spec is chosen so the blocks' Linear parameters are closest to budget × dense. */
    family: z.enum(['dense', ...FAMILY_NAMES] as [string, ...string[]]),
  }),
]);
export type PretrainModel = z.infer<typeof PretrainModel>;

export const PretrainConfig = configSchema('pretrain', {
  corpus: z.enum(CORPUS_NAMES).default('names'),
  /** Fraction of the corpus's tokens (the tail) held out for validation. */
  valFraction: z.number().gt(0).lt(0.5).default(0.1),
  model: TransformerSpec.default(TransformerSpec.parse({})),
  models: z
    .array(PretrainModel)
    .min(1)
    .max(8)
    .default([{ linear: { family: 'dense' } }]),
  /** Target fraction of the dense Linear parameters for models given by family only. */
  budget: z.number().gt(0).max(1).default(0.25),
  optimizer: OptimizerSpec.default(OptimizerSpec.parse({ name: 'adamw' })),
  schedule: ScheduleSpec.default(ScheduleSpec.parse({})),
  steps: z.number().int().min(1).max(MAX_PRETRAIN_STEPS).default(200),
  batch: z.number().int().min(1).max(512).default(8),
  /** Clip the global gradient norm (0 = off). */
  clip: z.number().min(0).default(1),
  evalEvery: z.number().int().min(1).default(50),
  /** Validation windows per evaluation (fixed, evenly spaced through the validation text). */
  evalWindows: z.number().int().min(1).max(4096).default(32),
  /** A text sample (progress message) every this many steps; 0 = never. */
  sampleEvery: z.number().int().min(0).default(100),
  sampleTokens: z.number().int().min(1).max(1000).default(60),
  temperature: z.number().min(0).max(5).default(0.8),
});
export type PretrainConfig = z.infer<typeof PretrainConfig>;

export const PretrainModelResult = z.object({
  label: z.string(),
  /** The Linear spec used in every block (family spec, or {"family": "dense"}). */
  linear: z.record(z.string(), z.unknown()),
  /** Trainable numbers of the whole model. */
  params: z.number(),
  /** Numbers in the blocks' Linear weights, and their dense count. */
  linearParams: z.number(),
  denseLinearParams: z.number(),
  /** Training loss of the last step. */
  finalLoss: z.number(),
  /** Validation loss after the last step. */
  finalValLoss: z.number(),
  /** Median wall ms per optimizer step (forward, backward, update, one read-back), first step excluded. */
  msPerStep: z.number(),
  tokensPerSecond: z.number(),
  /** Last text sample, if any. */
  sample: z.string().optional(),
});
export const PretrainSummary = z.object({
  corpus: z.string(),
  vocab: z.number(),
  trainTokens: z.number(),
  valTokens: z.number(),
  models: z.array(PretrainModelResult),
});
export type PretrainSummary = z.infer<typeof PretrainSummary>;
