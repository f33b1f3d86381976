/**
 * Kind `sketch` — config and summary schemas (run() is in ./sketch.ts). Sketched least squares
 * x' = argmin ‖S·A·x − S·b‖ against the exact x* for every sketch at several m (ALGORITHMS.md §8).
 */
import { z } from 'zod';
import { MatrixSource } from '../data/sources.schema';
import { configSchema, defineKindSchema, InputError } from './envelope';

export const SKETCH_TYPE_NAMES = ['gaussian', 'srht', 'countsketch', 'osnap'] as const;
/** Largest n of a generated A (rows). */
export const MAX_SKETCH_N = 65_536;
/** Largest d (unknowns): the exact and sketched solves are f64 QRs on the CPU. */
export const MAX_SKETCH_D = 256;
/** n·d² (the exact QR's cost) at most this. */
export const MAX_SKETCH_QR_COST = 2 ** 29;
/** A Gaussian sketch is a dense m × n matrix: m·n at most this. */
export const MAX_GAUSSIAN_ENTRIES = 2 ** 24;

const n = z.number().int().min(2).max(MAX_SKETCH_N).default(1024);
const d = z.number().int().min(1).max(MAX_SKETCH_D).default(16);

const Problem = z.discriminatedUnion('type', [
  z
    .strictObject({
      /** A = [I_d ; blockStd·G]: the first d rows carry almost all the leverage (high coherence). */
      type: z.literal('coherent'),
      n,
      d,
      blockStd: z.number().gt(0).max(100).default(0.01),
    })
    .describe('High coherence: A = [I_d ; blockStd·G], G standard Gaussian (n − d) × d.'),
  z
    .strictObject({ type: z.literal('gaussian'), n, d })
    .describe('Low coherence: A with i.i.d. N(0, 1) entries (leverage ≈ d/n on every row).'),
  z
    .strictObject({ type: z.literal('matrix'), matrix: MatrixSource })
    .describe('A from a matrix source (a file, a generator, an image): n = rows, d = cols ≤ n.'),
]);

const SketchEntry = z.strictObject({
  type: z.enum(SKETCH_TYPE_NAMES),
  label: z.string().max(200).optional(),
  /** OSNAP: nonzeros per column (default min(4, m)). */
  s: z.number().int().min(1).max(64).optional(),
});

export const SketchConfig = configSchema('sketch', {
  problem: Problem,
  /** b = A·x_true + noise·g with x_true, g standard Gaussian: noise sets ‖A·x* − b‖. */
  noise: z.number().min(0).max(1e6).default(1),
  /** The sketches to compare; each type at most once (series are named linfRatio/<type>). */
  sketches: z
    .array(SketchEntry)
    .min(1)
    .max(4)
    .default(SKETCH_TYPE_NAMES.map((type) => ({ type }))),
  /** Sketch sizes m, each d ≤ m ≤ n. */
  m: z.array(z.number().int().min(1).max(MAX_SKETCH_N)).min(1).max(24),
  /** Independent sketches per (type, m); the summary reports medians (and the worst ℓ∞ ratio). */
  trials: z.number().int().min(1).max(25).default(3),
});
export type SketchConfig = z.infer<typeof SketchConfig>;

export const SketchRow = z.object({
  label: z.string(),
  type: z.enum(SKETCH_TYPE_NAMES),
  m: z.number(),
  /** ‖x' − x*‖₂ / ‖x*‖₂ (median over trials). */
  l2Error: z.number(),
  /** ‖x' − x*‖∞·√d / (‖A·x* − b‖₂·‖A†‖₂) (median over trials): the measured ε of the ℓ∞ guarantee. */
  linfRatio: z.number(),
  /** The largest linfRatio over the trials. */
  linfRatioMax: z.number(),
  /** ‖A·x' − b‖ / ‖A·x* − b‖ (median over trials). */
  residualRatio: z.number(),
  /** Wall clock of sketch (GPU) + read back + m × d solve (CPU), median over trials. */
  ms: z.number(),
});

export const SketchSummary = z.object({
  problem: z.object({
    name: z.string(),
    n: z.number(),
    d: z.number(),
    /** max_i ‖U_i‖² (row leverage scores of A; d/n is the incoherent floor, 1 the most coherent). */
    maxLeverage: z.number(),
    /** ‖A·x* − b‖₂ */
    residualNorm: z.number(),
    /** ‖A†‖₂ = 1/σ_min(A) */
    pinvNorm: z.number(),
  }),
  sketches: z.array(SketchRow),
});
export type SketchSummary = z.infer<typeof SketchSummary>;

/** Sizes against each other once n and d are known; InputError naming the field. */
export function checkSizes(config: SketchConfig, n: number, d: number, where: string): void {
  if (d > n)
    throw new InputError(`d = ${d} columns exceed the n = ${n} rows (least squares needs a tall A)`, where);
  if (d > MAX_SKETCH_D) throw new InputError(`d = ${d} is over the limit of ${MAX_SKETCH_D} columns`, where);
  if (n * d * d > MAX_SKETCH_QR_COST)
    throw new InputError(
      `n·d² = ${n * d * d} is over the limit of ${MAX_SKETCH_QR_COST} (the exact f64 QR)`,
      where,
    );
  config.m.forEach((m, i) => {
    if (m > n) throw new InputError(`m = ${m} exceeds the n = ${n} rows of A (need m ≤ n)`, `m[${i}]`);
    if (m < d)
      throw new InputError(`m = ${m} is smaller than d = ${d} (the sketched problem needs m ≥ d)`, `m[${i}]`);
    if (config.sketches.some((s) => s.type === 'gaussian') && m * n > MAX_GAUSSIAN_ENTRIES)
      throw new InputError(
        `a Gaussian sketch of m × n = ${m} × ${n} is over the limit of ${MAX_GAUSSIAN_ENTRIES} entries`,
        `m[${i}]`,
      );
  });
  config.sketches.forEach((s, i) => {
    if (s.s !== undefined && s.type !== 'osnap')
      throw new InputError(
        `s (nonzeros per column) applies to osnap only, not ${s.type}`,
        `sketches[${i}].s`,
      );
    const small = Math.min(...config.m);
    if (s.s !== undefined && s.s > small)
      throw new InputError(`s = ${s.s} exceeds the smallest m = ${small}`, `sketches[${i}].s`);
  });
}

export const sketchSchema = defineKindSchema({
  kind: 'sketch',
  title: 'Sketched least squares: Gaussian, SRHT, CountSketch, OSNAP vs the exact x* (ℓ∞ guarantee)',
  config: SketchConfig,
  summary: SketchSummary,
  timingFields: ['ms'],
  timingSeries: [],
  check(config) {
    const seen = new Set<string>();
    config.sketches.forEach((s, i) => {
      if (seen.has(s.type))
        throw new InputError(
          `${s.type} appears twice (one entry per type: series are linfRatio/<type>)`,
          `sketches[${i}].type`,
        );
      seen.add(s.type);
    });
    if (config.problem.type !== 'matrix') checkSizes(config, config.problem.n, config.problem.d, 'problem.d');
  },
});
