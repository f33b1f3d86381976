/**
 * Kind `approximation`, schema half: config and summary schemas and the checks that need no GPU
 * (matrix size, every method's spec against the matrix shape when a generator or image fixes it).
 * run() is in ./approximation.ts.
 */
import { z } from 'zod';
import { imageShape } from '../data/images';
import { MatrixSource } from '../data/sources.schema';
import { FAMILY_META, FAMILY_NAMES, type FamilyName, FamilySpec, validateSpec } from '../structured/specs';
import { SpecError } from '../structured/types';
import { configSchema, defineKindSchema, InputError } from './envelope';

/** Matrices larger than this many entries are refused (the CPU error analysis is O(entries)). */
export const MAX_ENTRIES = 2048 * 2048;
/** MAX_ENTRIES as users read it. */
const MAX_SHAPE = '2048 × 2048';

const Sweep = z.strictObject({
  /** Parameter budgets as fractions of the dense count rows·cols. */
  budgets: z.array(z.number().gt(0).max(1)).min(1).max(32),
  /** Families to sweep; default: the families of `methods`. */
  families: z
    .array(z.enum(FAMILY_NAMES as [FamilyName, ...FamilyName[]]))
    .min(1)
    .max(16)
    .optional(),
});

export const ApproximationConfig = configSchema('approximation', {
  matrix: MatrixSource,
  methods: z.array(FamilySpec).min(1).max(32),
  sweep: Sweep.optional(),
  /** Rows of the random input X used to time apply(X) against dense X·Wᵀ. */
  batch: z.number().int().min(1).max(4096).default(64),
  /** Time apply() at all (timings are GPU timestamps: warm-up, then the median of repeats). */
  timing: z.boolean().default(true),
  warmup: z.number().int().min(0).max(20).default(2),
  repeats: z.number().int().min(1).max(51).default(5),
});
export type ApproximationConfig = z.infer<typeof ApproximationConfig>;

const MethodResult = z.object({
  label: z.string(),
  family: z.string(),
  params: z.number(),
  /** params / (rows·cols). */
  paramFraction: z.number(),
  relFrobError: z.number(),
  relSpectralError: z.number(),
  /** Median ms of one apply / one dense X·Wᵀ (null with timing off), with min–max of the samples. */
  applyMs: z.number().nullable(),
  applyMsMin: z.number().nullable().optional(),
  applyMsMax: z.number().nullable().optional(),
  denseMs: z.number().nullable(),
  denseMsMin: z.number().nullable().optional(),
  denseMsMax: z.number().nullable().optional(),
  /** Timed samples behind each time (the config's repeats; null with timing off). */
  timingSamples: z.number().nullable().optional(),
});
const SweepPoint = z.object({
  family: z.string(),
  label: z.string(),
  budget: z.number(),
  params: z.number(),
  relFrobError: z.number(),
  relSpectralError: z.number(),
});
export const ApproximationSummary = z.object({
  matrix: z.object({
    name: z.string(),
    rows: z.number(),
    cols: z.number(),
    frobNorm: z.number(),
    spectralNorm: z.number(),
  }),
  methods: z.array(MethodResult),
  sweep: z.array(SweepPoint).optional(),
  /** With a sweep: the budgets a family got no point of its own for, and why. */
  skipped: z.array(z.object({ family: z.string(), budget: z.number(), reason: z.string() })).optional(),
});
export type ApproximationSummary = z.infer<typeof ApproximationSummary>;

/** Check a spec against the matrix shape; SpecError / unknown family → InputError with the path. */
export function checkSpec(spec: FamilySpec, rows: number, cols: number, path: string): void {
  const known = Object.keys(FAMILY_META);
  if (!known.includes(spec.family))
    throw new InputError(
      `family '${spec.family}' is not available (available: ${known.join(', ')})`,
      `${path}.family`,
    );
  try {
    validateSpec(spec, rows, cols);
  } catch (e) {
    if (e instanceof SpecError) throw new InputError(e.message, `${path}.${e.field}`);
    throw e;
  }
}

/** rows × cols of a generated matrix (known before loading), or null for files. */
export function generatedShape(src: ApproximationConfig['matrix']): { rows: number; cols: number } | null {
  if (src.source === 'image') {
    try {
      return imageShape(src.image, src.size, src.crop);
    } catch (e) {
      throw new InputError((e as Error).message, `matrix.${(e as { field?: string }).field ?? 'size'}`);
    }
  }
  if (src.source !== 'generate') return null;
  if ('rows' in src) return { rows: src.rows, cols: src.cols };
  return { rows: src.n, cols: src.n };
}

/** The matrix size limit and every method's spec against rows × cols. */
export function checkShape(config: ApproximationConfig, rows: number, cols: number): void {
  if (rows * cols > MAX_ENTRIES)
    throw new InputError(
      `${rows} × ${cols} is over this experiment's limit of ${MAX_SHAPE} (${MAX_ENTRIES.toLocaleString('en-US')} entries; other shapes up to that many entries, e.g. 1024 × 4096, are fine)`,
      'matrix',
    );
  config.methods.forEach((s, i) => {
    checkSpec(s, rows, cols, `methods[${i}]`);
  });
}

export const approximationSchema = defineKindSchema({
  kind: 'approximation',
  title: 'Approximate one matrix with structured families (errors, spectra, speed)',
  config: ApproximationConfig,
  summary: ApproximationSummary,
  timingFields: ['applyMs', 'applyMsMin', 'applyMsMax', 'denseMs', 'denseMsMin', 'denseMsMax'],
  timingSeries: [],
  check(config) {
    const shape = generatedShape(config.matrix);
    config.sweep?.families?.forEach((f, i) => {
      if (!(f in FAMILY_META)) throw new InputError(`family '${f}' is not available`, `sweep.families[${i}]`);
    });
    if (!shape) return; // a file: checked once it is loaded
    checkShape(config, shape.rows, shape.cols);
  },
});
