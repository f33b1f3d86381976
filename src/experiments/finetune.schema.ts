/**
 * Kind `finetune` — config and summary schemas (zod only). Fine-tunes a base with each entry of
 * `methods` (an adapter from src/nn/adapters, or full fine-tuning) and streams `loss/<label>` (every
 * step) and `valLoss/<label>` (every evalEvery steps and at the end). Bases: the seeded teacher–student
 * regression task (src/data/regression: W₀ → W₀ + rank-r ΔW); a shipped tiny transformer
 * (public/models/<name>, `npm run pretrain` recipes) fine-tuned on another corpus; or one pretrained
 * in the run (`type: "pretrain"`, for a base no recipe ships).
 */
import { z } from 'zod';
import { CORPUS_NAMES } from '../data/corpus-names';
import { ADAPTER_NAMES } from '../nn/adapters/schema';
import { OptimizerSpec } from '../nn/optim/schema';
import { SHIPPED_MODELS } from '../nn/shipped.schema';
import { TransformerSpec } from '../nn/transformer.schema';
import { configSchema, defineKindSchema, InputError } from './envelope';

export const ADAPTERS = ADAPTER_NAMES;

const lr = z.number().gt(0).max(10);

export const FinetuneMethod = z.strictObject({
  label: z.string().min(1).max(60).optional(),
  adapter: z.enum(ADAPTERS),
  /** r (Compacter: the PHM dimension n, which must divide every adapted layer's sizes; full: ignored). */
  rank: z.number().int().min(1).max(256).default(4),
  /** Scaling s = α/r (α/√r with rslora); default α = r. */
  alpha: z.number().gt(0).optional(),
  rslora: z.boolean().optional(),
  /** PiSSA: exact Jacobi SVD or seeded randomized SVD with niter power iterations. */
  svd: z.enum(['exact', 'randomized']).default('exact'),
  niter: z.number().int().min(0).max(20).default(4),
  /** NLoRA / IntTune. */
  variant: z.enum(['released', 'nystrom']).default('nystrom'),
  /** LoRA-SB: batches of gradient accumulated for the init. */
  sbBatches: z.number().int().min(1).max(64).default(4),
  /** This method's learning rate (overrides the config's lr). */
  lr: lr.optional(),
});
export type FinetuneMethod = z.infer<typeof FinetuneMethod>;

export const TeacherStudentBase = z.strictObject({
  type: z.literal('teacher-student'),
  rows: z.number().int().min(1).max(512).default(32),
  cols: z.number().int().min(1).max(512).default(24),
  /** Rank of the teacher's update ΔW. */
  rank: z.number().int().min(1).max(512).default(4),
  samples: z.number().int().min(4).max(65536).default(512),
  deltaNorm: z.number().gt(0).max(10).default(0.5),
  noise: z.number().min(0).max(10).default(0),
});

export const PretrainedBase = z.strictObject({
  type: z.literal('pretrain'),
  /** The corpus the base is pretrained on (in the run, from the config's seed). */
  corpus: z.enum(CORPUS_NAMES).default('male-names'),
  model: TransformerSpec.default(TransformerSpec.parse({ layers: 2, dModel: 32, heads: 4, context: 16 })),
  steps: z.number().int().min(1).max(5000).default(300),
  lr: lr.default(3e-3),
});

export const ShippedBase = z.strictObject({
  type: z.literal('shipped'),
  /** male-names-tiny: male names; names-tiny: all names; moby-tiny: Moby Dick (vocabulary also covers sotu). */
  model: z.enum(SHIPPED_MODELS).default('male-names-tiny'),
});

export const FinetuneConfig = configSchema('finetune', {
  base: z
    .discriminatedUnion('type', [TeacherStudentBase, ShippedBase, PretrainedBase])
    .default(TeacherStudentBase.parse({ type: 'teacher-student' })),
  /** Target corpus for a pretrained base (ignored by the teacher–student task). */
  corpus: z.enum(CORPUS_NAMES).default('female-names'),
  valFraction: z.number().gt(0).lt(0.5).default(0.25),
  methods: z
    .array(FinetuneMethod)
    .min(1)
    .max(12)
    .default([FinetuneMethod.parse({ adapter: 'lora', rank: 4 })]),
  optimizer: OptimizerSpec.default(OptimizerSpec.parse({ name: 'adamw', weightDecay: 0 })),
  /** The learning rate of every method without its own (default: the optimizer's). */
  lr: lr.optional(),
  /** Try each lr per method; the result reports the best (lowest final validation loss) as bestLr. */
  lrSweep: z.array(lr).min(2).max(6).optional(),
  steps: z.number().int().min(1).max(5000).default(200),
  batch: z.number().int().min(1).max(4096).default(64),
  evalEvery: z.number().int().min(1).default(25),
  /** Which Linear layers get an adapter (pretrained base): module-name suffixes or "all". */
  targets: z.union([z.array(z.string().min(1)).min(1), z.literal('all')]).default(['q_proj', 'v_proj']),
});
export type FinetuneConfig = z.infer<typeof FinetuneConfig>;

export const FinetuneMethodResult = z.object({
  label: z.string(),
  adapter: z.string(),
  rank: z.number(),
  trainableParams: z.number(),
  /** Wall ms to build the adapters (SVDs, QR, LoRA-SB's gradient batches included). */
  initMs: z.number(),
  step0Loss: z.number(),
  finalLoss: z.number(),
  finalValLoss: z.number(),
  lr: z.number(),
  bestLr: z.number().optional(),
});
export const FinetuneSummary = z.object({
  task: z.string(),
  /** What the base is (shipped weights and their recipe, or that it was pretrained in this run). */
  base: z.string(),
  baseValLoss: z.number(),
  methods: z.array(FinetuneMethodResult),
});
export type FinetuneSummary = z.infer<typeof FinetuneSummary>;

export function methodLabels(c: FinetuneConfig): string[] {
  return c.methods.map((m) => m.label ?? (m.adapter === 'full' ? 'full' : `${m.adapter}-r${m.rank}`));
}

export function checkFinetune(c: FinetuneConfig): void {
  const seen = new Set<string>();
  methodLabels(c).forEach((l, i) => {
    if (seen.has(l))
      throw new InputError(`label '${l}' is used twice; give each method its own`, `methods[${i}].label`);
    seen.add(l);
  });
  // Shipped models are d = 32 (MLP 4d): the engine checks the real sizes when it loads them.
  const dims: number[] =
    c.base.type === 'teacher-student'
      ? [c.base.rows, c.base.cols]
      : [c.base.type === 'pretrain' ? c.base.model.dModel : 32];
  const k = Math.min(...dims);
  c.methods.forEach((m, i) => {
    if (m.adapter === 'hira' && ((m.alpha !== undefined && m.alpha !== m.rank) || m.rslora))
      throw new InputError(
        'hira has no α/r scaling (W + W⊙(B·A), as peft and the HiRA paper): leave alpha and rslora unset',
        m.alpha !== undefined ? `methods[${i}].alpha` : `methods[${i}].rslora`,
      );
    if (m.adapter === 'full') return;
    if (m.adapter === 'compacter') {
      if (dims.some((d) => d % m.rank))
        throw new InputError(
          `compacter: rank ${m.rank} must divide ${dims.join(' and ')}`,
          `methods[${i}].rank`,
        );
    } else if (m.rank > k)
      throw new InputError(`rank ${m.rank} exceeds min(out, in) = ${k}`, `methods[${i}].rank`);
  });
  if (c.base.type === 'teacher-student' && c.base.rank > Math.min(c.base.rows, c.base.cols))
    throw new InputError(`rank ${c.base.rank} exceeds min(rows, cols)`, 'base.rank');
  if (c.base.type === 'pretrain' && c.base.model.dModel % c.base.model.heads !== 0)
    throw new InputError(
      `dModel ${c.base.model.dModel} is not divisible by heads ${c.base.model.heads}`,
      'base.model.heads',
    );
}

export const finetuneSchema = defineKindSchema({
  kind: 'finetune',
  title: 'Fine-tune with adapters (LoRA, PiSSA, NLoRA, LoRA-SB, …) vs full fine-tuning',
  config: FinetuneConfig,
  summary: FinetuneSummary,
  check: checkFinetune,
  timingFields: ['initMs'],
  timingSeries: [],
});
