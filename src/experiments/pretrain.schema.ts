/**
 * Kind `pretrain` — config and summary schemas (zod only). Trains the tiny char-level transformer
 * on a corpus once per entry of `models`, every Linear in the blocks dense or structured, and
 * streams `loss/<label>` (every step) and `valLoss/<label>` (every evalEvery steps and at the end).
 */
import { z } from 'zod';
import { CORPUS_NAMES } from '../data/corpus-names';
import { OptimizerSpec, ScheduleSpec } from '../nn/optim/schema';
import { LinearSpec, TransformerSpec, type WeightSpec, weightParams } from '../nn/transformer.schema';
import { FAMILY_NAMES, specLabel, validateSpec } from '../structured/specs';
import { SpecError } from '../structured/types';
import { configSchema, defineKindSchema, InputError } from './envelope';

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
  /**
   * Fraction held out for validation: of the lines (a seeded shuffle) for name lists, of the
   * text (the tail) for prose (src/data/text.ts `splitText`).
   */
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
  /**
   * A text sample from the model every this many steps and after the last (0 = never): seeded
   * sampling (seed + step) at `temperature`, prompt a newline (src/nn/generate.ts).
   */
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
  /** Text samples taken while it trained (every `sampleEvery` steps and after the last), oldest first. */
  samples: z.array(z.object({ step: z.number(), text: z.string() })).optional(),
  /** The last of `samples`. */
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

/** [out, in] of every Linear in one block under this architecture. */
export function linearShapes(m: TransformerSpec): Array<[number, number]> {
  const d = m.dModel;
  const s: Array<[number, number]> =
    m.attention === 'standard'
      ? [
          [d, d],
          [d, d],
          [d, d],
          [d, d],
        ]
      : m.attention === 'collapsed'
        ? [
            [m.heads * d, d],
            [m.heads * d, d],
          ]
        : [[m.heads * d, d]];
  if (m.mlp) s.push([4 * d, d], [d, 4 * d]);
  return s;
}

export function linearCount(spec: WeightSpec, shapes: Array<[number, number]>): number {
  return shapes.reduce((a, [o, i]) => a + weightParams(spec, o, i), 0);
}

function candidates(family: string, d: number): WeightSpec[] {
  const r = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  switch (family) {
    case 'dense':
      return [{ family: 'dense' }];
    case 'lowrank':
      return r(d).map((rank) => ({ family: 'lowrank', rank, method: 'auto', oversample: 10, niter: 4 }));
    case 'blockdiag':
      return r(d).map((blocks) => ({ family: 'blockdiag', blocks }));
    case 'monarch':
      return r(d).map((blocks) => ({ family: 'monarch', blocks }));
    case 'kronecker':
      return r(8).flatMap((terms) => r(16).map((factor) => ({ family: 'kronecker', terms, factor })));
    case 'sparse':
      return r(100).map((k) => ({ family: 'sparse', density: k / 100 }));
    case 'sparse+lowrank':
      return [0.01, 0.03, 0.05, 0.1].flatMap((density) =>
        r(d).map((rank) => ({ family: 'sparse+lowrank', rank, density, rounds: 5 })),
      );
    case 'nm-sparse':
      return r(8).flatMap((m) => r(m).map((n) => ({ family: 'nm-sparse', n, m })));
    default:
      return [];
  }
}

/** The family's spec whose Linear parameters are closest to budget × dense (ties: the smaller). */
export function budgetSpec(family: string, m: TransformerSpec, budget: number): WeightSpec {
  const shapes = linearShapes(m);
  const target = budget * linearCount({ family: 'dense' }, shapes);
  let best: WeightSpec | null = null;
  let bestGap = Number.POSITIVE_INFINITY;
  for (const c of candidates(family, m.dModel)) {
    const n = linearCount(c, shapes);
    if (!Number.isFinite(n)) continue;
    const gap = Math.abs(n - target);
    if (gap < bestGap) {
      best = c;
      bestGap = gap;
    }
  }
  if (!best) throw new Error(`no ${family} spec fits every Linear of this model`);
  return best;
}

function labelOf(spec: WeightSpec): string {
  return spec.family === 'dense' ? 'dense' : specLabel(spec);
}

export interface ResolvedModel {
  label: string;
  linear: WeightSpec;
}

export function resolveModels(c: PretrainConfig): ResolvedModel[] {
  const out = c.models.map((m: PretrainModel, i) => {
    let linear: WeightSpec;
    if ('linear' in m) linear = m.linear as WeightSpec;
    else {
      try {
        linear = budgetSpec(m.family, c.model, c.budget);
      } catch (e) {
        throw new InputError((e as Error).message, `models[${i}].family`);
      }
    }
    return { label: m.label ?? labelOf(linear), linear };
  });
  const seen = new Set<string>();
  out.forEach((m, i) => {
    if (seen.has(m.label))
      throw new InputError(`label '${m.label}' is used twice; give each model its own`, `models[${i}].label`);
    seen.add(m.label);
  });
  return out;
}

export function checkPretrain(c: PretrainConfig): void {
  const m = c.model;
  if (m.dModel % m.heads !== 0)
    throw new InputError(`dModel ${m.dModel} is not divisible by heads ${m.heads}`, 'model.heads');
  if (c.batch * m.context > MAX_BATCH_TOKENS)
    throw new InputError(
      `batch × context = ${c.batch * m.context} tokens exceeds ${MAX_BATCH_TOKENS}`,
      'batch',
    );
  const known: string[] = FAMILY_NAMES;
  c.models.forEach((entry, i) => {
    if (!('linear' in entry)) return;
    const spec = entry.linear;
    if (spec.family === 'dense') return;
    if (!known.includes(spec.family))
      throw new InputError(`family '${spec.family}' is not available`, `models[${i}].linear.family`);
    for (const [o, inp] of linearShapes(m)) {
      try {
        validateSpec(spec, o, inp);
      } catch (e) {
        if (e instanceof SpecError)
          throw new InputError(
            `${e.message} (a ${o} × ${inp} Linear of this model)`,
            `models[${i}].linear.${e.field}`,
          );
        throw e;
      }
    }
  });
  resolveModels(c);
}

export const pretrainSchema = defineKindSchema({
  kind: 'pretrain',
  title: 'Pretrain the tiny transformer on text, dense vs structured Linears at equal parameters',
  config: PretrainConfig,
  summary: PretrainSummary,
  check: checkPretrain,
  timingFields: ['msPerStep', 'tokensPerSecond'],
  timingSeries: ['tokensPerSecond/'],
});
