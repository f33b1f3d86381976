/**
 * Kind `compression` — config and summary schemas (zod only) and the GPU-free plan: which member of
 * each structured family a layer gets at a parameter budget. The run (./compression.ts) loads a
 * shipped base model, replaces every targeted Linear's W by its family's projection at each budget
 * (truncated SVD, Fisher-weighted SVD, Monarch, block-diagonal, sparse, sparse + low rank), and
 * reports the validation loss after compression and after an optional short recovery fine-tune.
 */
import { z } from 'zod';
import { CORPUS_NAMES } from '../data/corpus-names';
import { OptimizerSpec } from '../nn/optim/schema';
import { linearLayers, SHIPPED_INFO, SHIPPED_MODELS } from '../nn/shipped.schema';
import { type FamilySpec, specLabel, specParamCount, validateSpec } from '../structured/specs';
import { configSchema, defineKindSchema, InputError } from './envelope';

export const COMPRESSION_METHODS = [
  'svd',
  'fwsvd',
  'monarch',
  'blockdiag',
  'sparse',
  'sparse-lowrank',
] as const;
export type CompressionMethodName = (typeof COMPRESSION_METHODS)[number];

/** The structured family (src/structured) behind each method. */
export const METHOD_FAMILY: Record<CompressionMethodName, FamilySpec['family']> = {
  svd: 'lowrank',
  fwsvd: 'fwsvd',
  monarch: 'monarch',
  blockdiag: 'blockdiag',
  sparse: 'sparse',
  'sparse-lowrank': 'sparse+lowrank',
};

export const CompressionMethod = z.strictObject({
  method: z.enum(COMPRESSION_METHODS),
  /** Series and summary name (default: the method's name). */
  label: z.string().min(1).max(60).optional(),
  /** sparse-lowrank: the share of each layer's budget spent on the low-rank part (the rest on S). */
  lowRankShare: z.number().gt(0).lt(1).default(0.5),
  /** sparse-lowrank: alternating rounds of the projection (src/structured/sparse-lowrank.ts). */
  rounds: z.number().int().min(1).max(20).default(5),
});
export type CompressionMethod = z.infer<typeof CompressionMethod>;

export const Recovery = z.strictObject({
  /** Optimizer steps on training batches, updating only the compressed layers' factors. */
  steps: z.number().int().min(1).max(2000),
  lr: z.number().gt(0).max(10).default(1e-3),
  optimizer: OptimizerSpec.default(OptimizerSpec.parse({ name: 'adamw', weightDecay: 0 })),
});

export const CompressionConfig = configSchema('compression', {
  /** The shipped base weights to compress (public/models/<name>.safetensors). */
  base: z.enum(SHIPPED_MODELS).default('names-tiny'),
  /** Text for the validation loss (its validation split) and the Fisher batches (its training split). */
  corpus: z.enum(CORPUS_NAMES).default('names'),
  /** Validation split as in the base model's recipe (src/data/text.ts splitText: names by a seeded line shuffle; 0.1). */
  valFraction: z.number().gt(0).lt(0.5).default(0.1),
  methods: z
    .array(CompressionMethod)
    .min(1)
    .max(12)
    .default([CompressionMethod.parse({ method: 'svd' }), CompressionMethod.parse({ method: 'fwsvd' })]),
  /** Each layer's parameter budget, as a fraction of its dense count out·in (the same for every method). */
  budgets: z.array(z.number().gt(0).max(1)).min(1).max(16).default([0.25, 0.5]),
  /** Which Linear layers are compressed: module-name suffixes (["q_proj", "fc"]) or "all". */
  targets: z.union([z.array(z.string().min(1)).min(1), z.literal('all')]).default('all'),
  /** FWSVD: batches of training text whose squared weight gradients give the Fisher importance. */
  fisherBatches: z.number().int().min(1).max(64).default(8),
  /** A short fine-tune of each compressed model (its factors only); absent = none. */
  recovery: Recovery.optional(),
  /** Windows per batch (validation, Fisher and recovery batches). */
  batch: z.number().int().min(1).max(512).default(8),
  /** Validation batches of `batch` fixed windows each. */
  evalBatches: z.number().int().min(1).max(256).default(4),
  /**
   * Where the fixed evaluation windows come from: `val` (held out: the base recipe's split of the corpus) or
   * `train` (the text the base was trained on: how much of the learned function survives).
   */
  evalSplit: z.enum(['val', 'train']).default('val'),
});
export type CompressionConfig = z.infer<typeof CompressionConfig>;

export const CompressionMethodResult = z.object({
  label: z.string(),
  method: z.string(),
  budget: z.number(),
  /** Stored numbers of the compressed layers (sum over targets). */
  params: z.number(),
  /** params / the targets' dense count. */
  paramFraction: z.number(),
  /** The member each layer got, e.g. "Low rank (r = 5)" (one entry per distinct label). */
  spec: z.string(),
  valLoss: z.number(),
  valLossRecovered: z.number().optional(),
  /** √(Σ‖W − Ŵ‖²_F) / √(Σ‖W‖²_F) over the targeted layers. */
  relWeightError: z.number(),
  /** Wall ms of the projections (FWSVD: not counting the shared Fisher pass). */
  compressMs: z.number(),
});
export const FwsvdVsSvd = z.object({
  budget: z.number(),
  svdValLoss: z.number(),
  fwsvdValLoss: z.number(),
  /** FWSVD's val loss is strictly lower than SVD's at this budget (same rank per layer). */
  fwsvdBetter: z.boolean(),
  svdValLossRecovered: z.number().optional(),
  fwsvdValLossRecovered: z.number().optional(),
});
export const CompressionSummary = z.object({
  base: z.string(),
  /** The corpus and split evaluated, e.g. "names (validation split)". */
  corpus: z.string(),
  /** Targeted layers: path and out × in. */
  layers: z.array(z.object({ path: z.string(), out: z.number(), in: z.number() })),
  denseParams: z.number(),
  baseValLoss: z.number(),
  /** One entry per (method, budget) that ran, in config order. */
  methods: z.array(CompressionMethodResult),
  /** Budgets a method could not meet (or met with the member of a smaller budget), and why. */
  skipped: z.array(
    z.object({ label: z.string(), method: z.string(), budget: z.number(), reason: z.string() }),
  ),
  /** Per budget where both an svd and an fwsvd method ran (the first of each). */
  fwsvdVsSvd: z.array(FwsvdVsSvd),
  /** Wall ms of the Fisher pass (fisherBatches forward + backward), 0 without an fwsvd method. */
  fisherMs: z.number(),
});
export type CompressionSummary = z.infer<typeof CompressionSummary>;

export function compressionLabels(c: CompressionConfig): string[] {
  return c.methods.map((m) => m.label ?? m.method);
}

/** The targeted layers of the base (path, out × in); InputError naming the target that matches none. */
export function compressionTargets(c: CompressionConfig): Array<{ path: string; out: number; in: number }> {
  const all = linearLayers(SHIPPED_INFO[c.base].spec).filter((l) => l.path !== 'lm_head');
  if (c.targets === 'all') return all;
  const names = c.targets;
  names.forEach((t, i) => {
    if (!all.some((l) => l.path === t || l.path.endsWith(`.${t}`)))
      throw new InputError(
        `'${t}' matches no Linear layer of ${c.base} (its layers: ${[...new Set(all.map((l) => l.path.split('.').pop()))].join(', ')}, or full paths like ${all[0].path})`,
        `targets[${i}]`,
      );
  });
  return all.filter((l) => names.some((t) => l.path === t || l.path.endsWith(`.${t}`)));
}

function divisors(n: number): number[] {
  const d: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) d.push(i);
  return d;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The members of a method's family a rows × cols layer may get (before the budget picks one). */
function members(m: CompressionMethod, rows: number, cols: number, cap: number): FamilySpec[] {
  const k = Math.min(rows, cols);
  switch (m.method) {
    case 'svd':
    case 'fwsvd': {
      // the largest rank within the budget: r·(rows + cols) ≤ cap (equal for both: same rank)
      const rank = Math.min(k, Math.floor(cap / (rows + cols)));
      if (rank < 1) return [];
      return m.method === 'svd'
        ? [{ family: 'lowrank', rank, method: 'auto', oversample: 10, niter: 4 }]
        : [{ family: 'fwsvd', rank }];
    }
    case 'blockdiag':
      return divisors(gcd(rows, cols)).map((blocks) => ({ family: 'blockdiag', blocks }));
    case 'monarch':
      return divisors(cols).map((blocks) => ({ family: 'monarch', blocks }));
    case 'sparse': {
      // 2·nnz + rows + 1 stored numbers (CSR): the most entries within the cap
      const nnz = Math.min(rows * cols, Math.floor((cap - rows - 1) / 2));
      return nnz >= 1 ? [{ family: 'sparse', density: nnz / (rows * cols) }] : [];
    }
    case 'sparse-lowrank': {
      const rank = Math.min(k, Math.floor((m.lowRankShare * cap) / (rows + cols)));
      const nnz = Math.floor((cap - rank * (rows + cols)) / 2 - (rows + 1) / 2);
      if (rank < 1 || nnz < 1) return [];
      // slNnz = floor(density·rows·cols): a density a hair above nnz/(rows·cols) gives exactly nnz
      return [{ family: 'sparse+lowrank', rank, density: (nnz + 0.5) / (rows * cols), rounds: m.rounds }];
    }
  }
}

/**
 * The member of the method's family with the most stored numbers within budget·rows·cols for a
 * rows × cols layer, or why there is none.
 */
export function specAtBudget(
  m: CompressionMethod,
  rows: number,
  cols: number,
  budget: number,
): { spec: FamilySpec; params: number } | { reason: string } {
  const cap = budget * rows * cols;
  const valid: Array<{ spec: FamilySpec; params: number }> = [];
  for (const spec of members(m, rows, cols, cap)) {
    try {
      validateSpec(spec, rows, cols);
      valid.push({ spec, params: specParamCount(spec, rows, cols) });
    } catch {
      // not a member for this shape
    }
  }
  let best: { spec: FamilySpec; params: number } | null = null;
  for (const v of valid) if (v.params <= cap && (!best || v.params > best.params)) best = v;
  if (best) return best;
  const within = `${budget} × ${rows} × ${cols} = ${Math.floor(cap).toLocaleString('en-US')} parameters`;
  const smallest = valid.reduce<{ spec: FamilySpec; params: number } | null>(
    (a, v) => (!a || v.params < a.params ? v : a),
    null,
  );
  if (m.method === 'svd' || m.method === 'fwsvd')
    return { reason: `rank 1 needs ${rows + cols} parameters, over ${within}` };
  if (m.method === 'sparse' || m.method === 'sparse-lowrank' || !smallest)
    return { reason: `no ${METHOD_FAMILY[m.method]} member fits within ${within}` };
  return {
    reason: `the smallest ${METHOD_FAMILY[m.method]} member, ${specLabel(smallest.spec)} (${smallest.params.toLocaleString('en-US')} parameters), is over ${within}`,
  };
}

export function checkCompression(c: CompressionConfig): void {
  const seen = new Set<string>();
  compressionLabels(c).forEach((l, i) => {
    if (seen.has(l))
      throw new InputError(`label '${l}' is used twice; give each method its own`, `methods[${i}].label`);
    seen.add(l);
  });
  const b = new Set<number>();
  c.budgets.forEach((x, i) => {
    if (b.has(x)) throw new InputError(`budget ${x} is listed twice`, `budgets[${i}]`);
    b.add(x);
  });
  compressionTargets(c);
}

export const compressionSchema = defineKindSchema({
  kind: 'compression',
  title:
    'Compress a trained model’s Linear layers at equal budgets: SVD, FWSVD, Monarch, block-diagonal, sparse',
  config: CompressionConfig,
  summary: CompressionSummary,
  check: checkCompression,
  timingFields: ['compressMs', 'fisherMs'],
  timingSeries: [],
});
