/**
 * Kind `sparse-attention` — config and summary schemas (run() is in ./sparse-attention.ts). Causal
 * attention heads, each sparse pattern's index built on the GPU (MInference's A-shape,
 * vertical-slash, block-sparse), its recall, density and output error against dense attention,
 * and the times of the index build, the sparse kernel and the fused dense kernel.
 */
import { z } from 'zod';
import { SHIPPED_MODELS } from '../nn/shipped.schema';
import { configSchema, defineKindSchema } from './envelope';

/** Largest sequence length (the block-sparse builder keeps ≤ 256 query blocks in registers). */
export const MAX_ATTENTION_N = 16_384;
export const MAX_ATTENTION_D = 128;
export const MAX_ATTENTION_HEADS = 16;
/** A budget this large means "everything" (budgets larger than n are clamped). */
export const MAX_BUDGET = 1_000_000;

const budget = z.number().int().min(1).max(MAX_BUDGET);

export const AttentionPattern = z.discriminatedUnion('type', [
  z
    .strictObject({ type: z.literal('dense'), label: z.string().max(200).optional() })
    .describe('Dense causal attention (the reference).'),
  z
    .strictObject({
      type: z.literal('a-shape'),
      /** Sink tokens every query sees. */
      init: z.number().int().min(0).max(MAX_BUDGET),
      /** Local window (tokens behind each query), covered by 64-aligned key blocks. */
      local: budget,
      label: z.string().max(200).optional(),
    })
    .describe('A-shape: `init` sink columns + a local window of `local` tokens.'),
  z
    .strictObject({
      type: z.literal('vertical-slash'),
      /** Key columns kept (the first 8 sinks always in). */
      vertical: budget,
      /** Diagonal offsets kept (offsets 0 … 7 always in). */
      slash: budget,
      label: z.string().max(200).optional(),
    })
    .describe('Vertical-slash as MInference builds it from the last min(64, n) queries.'),
  z
    .strictObject({
      type: z.literal('block-sparse'),
      /** Key blocks (64 tokens) per query block (the diagonal block always in). */
      topk: budget,
      label: z.string().max(200).optional(),
    })
    .describe('Block-sparse: top-k key blocks per query block from mean-pooled Q and K blocks.'),
]);
export type AttentionPattern = z.infer<typeof AttentionPattern>;

/** The real Q, K, V of a shipped model's layer on a window of its own corpus (one sequence). */
export const ModelAttentionInput = z
  .strictObject({
    type: z.literal('model'),
    model: z.enum(SHIPPED_MODELS).default('names-tiny'),
    /** Which block's attention (0 = the first). */
    layer: z.number().int().min(0).max(63).default(0),
    /** First character of the n-character window in the model's corpus (its training text). */
    offset: z.number().int().min(0).max(100_000_000).default(0),
  })
  .describe(
    "A shipped model's per-head Q, K, V (after ln_1 and the q/k/v projections of block `layer`) on n characters of its corpus from `offset`; n ≤ the model's context, d = its head dim, heads ≤ its heads.",
  );
export type ModelAttentionInput = z.infer<typeof ModelAttentionInput>;

export const AttentionInput = z
  .union([z.literal('synthetic'), ModelAttentionInput])
  .describe(
    'Where Q, K, V come from. "synthetic": seeded heads with sinks, a local band, heavy tokens, periodic slashes and noise; {type: "model", …}: a shipped model\'s real heads on real text.',
  );
export type AttentionInput = z.infer<typeof AttentionInput>;

const heads = z.number().int().min(1).max(MAX_ATTENTION_HEADS).default(4);
const n = z.number().int().min(16).max(MAX_ATTENTION_N).default(1024);
const d = z
  .number()
  .int()
  .min(8)
  .max(MAX_ATTENTION_D)
  .multipleOf(4)
  .default(64)
  .describe('Head dimension: a multiple of 4 from 8 to 128.');

export const attentionShapeFields = { input: AttentionInput.default('synthetic'), heads, n, d };

export const SparseAttentionConfig = configSchema('sparse-attention', {
  ...attentionShapeFields,
  patterns: z.array(AttentionPattern).min(1).max(12),
  /** Sweep each pattern type's budget ladder for the recall-vs-density curves (series curve/<type>/…). */
  curves: z.boolean().default(true),
  /** Per-head pattern search: the best recall among the ladders within this density (summary.search). */
  maxDensity: z.number().gt(0).max(1).optional(),
  /** Time the index build, the sparse kernel and fused dense (false: the ms fields are 0). */
  timing: z.boolean().default(true),
  warmup: z.number().int().min(0).max(20).default(1),
  repeats: z.number().int().min(5).max(51).default(5),
});
export type SparseAttentionConfig = z.infer<typeof SparseAttentionConfig>;

export const PatternResult = z.object({
  label: z.string(),
  type: z.enum(['dense', 'a-shape', 'vertical-slash', 'block-sparse']),
  /** Computed causal entries / (n(n+1)/2), mean over heads. */
  density: z.number(),
  /** Mean over heads and query rows of the dense softmax mass inside the mask. */
  recall: z.number(),
  /** ‖O_sparse − O_dense‖_F / ‖O_dense‖_F over all heads. */
  relOutputError: z.number(),
  /** GPU time of the index build (ms, median); 0 for dense. */
  indexMs: z.number(),
  /** GPU time of the sparse kernel alone (ms, median); the fused dense time for dense. */
  sparseMs: z.number(),
  /** GPU time of the fused dense kernel, timed alternately with the sparse one (ms, median). */
  denseMs: z.number(),
  headRecall: z.array(z.number()),
  headDensity: z.array(z.number()),
});

export const HeadSearch = z.object({
  head: z.number(),
  /** The chosen pattern's label, or null when no ladder entry fits the density budget. */
  label: z.string().nullable(),
  type: z.string().nullable(),
  recall: z.number(),
  density: z.number(),
});

export const SparseAttentionSummary = z.object({
  timing: z.enum(['timestamp-query', 'wall-clock']),
  patterns: z.array(PatternResult),
  search: z.array(HeadSearch).optional(),
});
export type SparseAttentionSummary = z.infer<typeof SparseAttentionSummary>;

export const sparseAttentionSchema = defineKindSchema({
  kind: 'sparse-attention',
  title: 'Sparse attention (A-shape, vertical-slash, block-sparse): recall, density, error, speed vs dense',
  config: SparseAttentionConfig,
  summary: SparseAttentionSummary,
  timingFields: ['indexMs', 'sparseMs', 'denseMs'],
  timingSeries: [],
});
