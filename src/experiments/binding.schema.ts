/**
 * Kind `binding` — config and summary schemas (run() is in ./binding.ts). MBAT: JSON records as
 * fixed-length vectors by binding with random matrices; orthogonal vs Gaussian (ALGORITHMS.md §9).
 */
import { z } from 'zod';
import sample from '../sketch/binding-sample.json';
import { configSchema, defineKindSchema, InputError } from './envelope';

export const BINDING_TYPE_NAMES = ['orthogonal', 'hadamard', 'gaussian'] as const;
/** Largest vector dimension (an orthogonal binding is a dense D × D QR per level on the CPU). */
export const MAX_BINDING_DIM = 512;
/** Nesting levels (binding matrices per type), for records and the norm chain together. */
export const MAX_BINDING_LEVELS = 64;
export const MAX_RECORDS = 2000;

export const BindingConfig = configSchema('binding', {
  /** D, the vector length (a power of two when the hadamard binding is used). */
  dim: z.number().int().min(2).max(MAX_BINDING_DIM).default(256),
  bindings: z
    .array(z.enum(BINDING_TYPE_NAMES))
    .min(1)
    .max(3)
    .default([...BINDING_TYPE_NAMES]),
  /** JSON records to encode (a dropped JSON file's array); default: the bundled sample (24 nested records). */
  records: z.array(z.unknown()).min(2).max(MAX_RECORDS).optional(),
  /** Norm vs depth: x ← B_ℓ·x for ℓ = 1…maxDepth, from `trials` random unit vectors. */
  maxDepth: z.number().int().min(1).max(MAX_BINDING_LEVELS).default(16),
  trials: z.number().int().min(1).max(1024).default(64),
  /** Retrieval: each record wrapped this many extra levels ({"record": …}) before encoding. */
  wrapDepths: z.array(z.number().int().min(0).max(MAX_BINDING_LEVELS)).min(1).max(16).default([0, 4, 8]),
  /** Leaves changed per perturbed record. */
  perturbLeaves: z.number().int().min(1).max(100).default(2),
  /** Numbers move by noise·N(0, 1) (one soft bucket = 1). */
  numberNoise: z.number().min(0).max(1e6).default(0.5),
});
export type BindingConfig = z.infer<typeof BindingConfig>;

const DepthRow = z.object({
  /** Extra wrapping levels. */
  depth: z.number(),
  /** Fraction of perturbed records whose nearest original (cosine) is their own. */
  accuracy: z.number(),
  /** Mean cosine between a perturbed record and its original. */
  meanSelfCosine: z.number(),
});

export const BindingRow = z.object({
  binding: z.enum(BINDING_TYPE_NAMES),
  /** Retrieval accuracy at the smallest wrap depth. */
  accuracy: z.number(),
  byDepth: z.array(DepthRow),
  /** ‖x‖ after maxDepth bindings of unit vectors: mean, min, max over the trials. */
  normMean: z.number(),
  normMin: z.number(),
  normMax: z.number(),
  /** max over depths and trials of |‖x_ℓ‖ − 1|. */
  maxNormDeviation: z.number(),
});

export const BindingSummary = z.object({
  dim: z.number(),
  records: z.number(),
  /** Object nesting of the deepest record (before wrapping). */
  recordDepth: z.number(),
  /** 'bundled sample' or 'config records'. */
  source: z.string(),
  bindings: z.array(BindingRow),
});
export type BindingSummary = z.infer<typeof BindingSummary>;

/** The bundled sample records (used when a config gives none). */
export const BINDING_SAMPLE: readonly unknown[] = sample;

/** Nesting levels of objects in a JSON value (a leaf: 0, {a: 1}: 1, {a: {b: 1}}: 2; arrays add none). */
export function objectDepth(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((m: number, x) => Math.max(m, objectDepth(x)), 0);
  if (v !== null && typeof v === 'object')
    return (
      1 + Object.values(v as Record<string, unknown>).reduce((m: number, x) => Math.max(m, objectDepth(x)), 0)
    );
  return 0;
}

export const bindingSchema = defineKindSchema({
  kind: 'binding',
  title: 'MBAT binding of JSON records: orthogonal vs Gaussian matrices (norms with depth, retrieval)',
  config: BindingConfig,
  summary: BindingSummary,
  timingFields: [],
  timingSeries: [],
  check(config) {
    if (config.bindings.includes('hadamard') && (config.dim & (config.dim - 1)) !== 0)
      throw new InputError(`the hadamard binding needs dim a power of two, got ${config.dim}`, 'dim');
    const seen = new Set<string>();
    config.bindings.forEach((b, i) => {
      if (seen.has(b)) throw new InputError(`${b} appears twice`, `bindings[${i}]`);
      seen.add(b);
    });
    const records = config.records ?? BINDING_SAMPLE;
    const depth = records.reduce((m: number, r) => Math.max(m, objectDepth(r)), 0);
    const wrapMax = Math.max(...config.wrapDepths);
    if (depth + wrapMax > MAX_BINDING_LEVELS)
      throw new InputError(
        `records nest ${depth} objects deep; with wrapDepths up to ${wrapMax} that is over ${MAX_BINDING_LEVELS} levels`,
        config.records ? 'records' : 'wrapDepths',
      );
  },
});
