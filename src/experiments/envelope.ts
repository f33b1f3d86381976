/**
 * The shared envelope of every experiment: config header fields, events, artifacts, the result
 * JSON, errors, and the two halves each kind exports: its KindSchema (<kind>.schema.ts, GPU-free)
 * and its ExperimentDef (<kind>.ts, adds run()). How to add a kind: see ./kinds.ts.
 */
import { z } from 'zod';
import type { Gpu } from '../gpu/device';

export const CONFIG_SCHEMA_ID = 'smx/experiment@1';
export const RESULT_SCHEMA_ID = 'smx/result@1';

/** Fields every config has besides its kind's own. */
export const envelopeFields = {
  schema: z.literal(CONFIG_SCHEMA_ID).describe(`Always "${CONFIG_SCHEMA_ID}".`),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0)
    .describe('Every random choice of the run derives from this seed.'),
  name: z.string().max(200).optional().describe('A title for the run.'),
  description: z.string().max(4000).optional(),
};

/** A kind's config schema: the envelope plus the kind's fields; unknown keys are errors (typos). */
export function configSchema<K extends string, S extends z.ZodRawShape>(kind: K, shape: S) {
  return z.strictObject({ ...envelopeFields, kind: z.literal(kind), ...shape });
}

// ------------------------------------------------------------------ artifacts and events

export const VectorArtifact = z.object({
  type: z.literal('vector'),
  /** What the entries are ("singular values", "eigenvalues", ...). */
  label: z.string(),
  values: z.array(z.number()),
});
export const MatrixArtifact = z.object({
  type: z.literal('matrix'),
  label: z.string(),
  rows: z.number().int().min(1),
  cols: z.number().int().min(1),
  /** Row-major, rows × cols. */
  values: z.array(z.number()),
  /** The source size when the matrix was downsampled (block means). */
  sourceRows: z.number().int().min(1).optional(),
  sourceCols: z.number().int().min(1).optional(),
});
/** Text produced at optimizer steps (e.g. samples from a model while it trains), oldest first. */
export const TextArtifact = z.object({
  type: z.literal('text'),
  label: z.string(),
  entries: z.array(z.object({ step: z.number(), text: z.string() })),
});
export const Artifact = z.discriminatedUnion('type', [VectorArtifact, MatrixArtifact, TextArtifact]);
export type Artifact = z.infer<typeof Artifact>;

export const SeriesPoint = z.object({ step: z.number(), value: z.number() });
export type SeriesPoint = z.infer<typeof SeriesPoint>;

/** What a kind's run() yields while it works. */
export type KindEvent =
  | { type: 'progress'; fraction: number; message: string }
  | { type: 'metric'; series: string; step: number; value: number }
  | { type: 'artifact'; name: string; data: Artifact };

/** What the runner streams: the kind's events, then done with the whole result JSON. */
export type ExperimentEvent = KindEvent | { type: 'done'; result: ExperimentResult };

// ------------------------------------------------------------------ result

export const RunStatus = z.enum(['finished', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatus>;

export const AdapterInfo = z.object({
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  isFallbackAdapter: z.boolean(),
  features: z.array(z.string()),
  limits: z.record(z.string(), z.number()),
});

export const RunEnv = z.object({
  app: z.string(),
  version: z.string(),
  runtime: z.enum(['browser', 'node']),
  /** navigator.userAgent in the browser, `node vX` in Node. */
  userAgent: z.string(),
  adapter: AdapterInfo.nullable(),
  /** How GPU times were measured. */
  timing: z.enum(['timestamp-query', 'wall-clock']).nullable(),
  /**
   * The smallest step the GPU timer showed in this run, in ms: the GCD of every timestamp
   * difference (0.065536 where Dawn quantises timestamps, ~1e-6 where it does not), or the step of
   * performance.now() for wall-clock timing; null when nothing was timed. Older results lack it.
   */
  clockResolutionMs: z.number().nullable().optional(),
});
export type RunEnv = z.infer<typeof RunEnv>;

export const RunError = z.object({
  name: z.string(),
  message: z.string(),
  /** Config field path (`methods[1].rank`) when the error is about one field. */
  path: z.string().optional(),
});
export type RunError = z.infer<typeof RunError>;

/** The result envelope for one kind, given its config and summary schemas. */
export function resultSchema<K extends string>(kind: K, config: z.ZodType, summary: z.ZodType) {
  return z.strictObject({
    schema: z.literal(RESULT_SCHEMA_ID),
    id: z.string(),
    kind: z.literal(kind),
    status: RunStatus,
    /** The config as run, defaults filled in. */
    config,
    env: RunEnv,
    startedAt: z.string(),
    endedAt: z.string(),
    /** The kind's summary; partial (fewer list entries) when the run failed or was cancelled. */
    summary: summary.nullable(),
    series: z.record(z.string(), z.array(SeriesPoint)),
    artifacts: z.record(z.string(), Artifact),
    error: RunError.optional(),
  });
}

export interface ExperimentResult {
  schema: typeof RESULT_SCHEMA_ID;
  id: string;
  kind: string;
  status: RunStatus;
  config: unknown;
  env: RunEnv;
  startedAt: string;
  endedAt: string;
  summary: unknown;
  series: Record<string, SeriesPoint[]>;
  artifacts: Record<string, Artifact>;
  error?: RunError;
}

// ------------------------------------------------------------------ errors

/**
 * The config or an input it names is invalid (a field out of range, a spec that does not fit the
 * matrix, an unreadable matrix file). The CLI exits 2 on it; the worker posts it as an error.
 */
export class InputError extends Error {
  constructor(
    /** What is wrong, without the path. */
    readonly detail: string,
    /** Field path like `methods[1].rank`, or '' for the whole config / a file problem. */
    readonly path = '',
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'InputError';
  }
}

/** `["methods", 1, "rank"]` → `methods[1].rank`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s ? `.${String(p)}` : String(p);
  }
  return s;
}

/** Line and column (1-based) of a character offset in a text. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/**
 * JSON.parse with a syntax error that gives line and column (V8 gives only a character offset, or
 * nothing at the end of the input): `not valid JSON at line 3, column 5: Expected ',' or '}' after
 * property value`. Throws InputError. Safe for the UI's main thread (this file imports only zod).
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const at = /at position (\d+)/.exec(msg);
    const offset = at ? Number(at[1]) : /end of (JSON )?input|Unterminated/i.test(msg) ? text.length : -1;
    const what = msg
      .replace(/\s*in JSON at position \d+.*$/, '')
      .replace(/\s*\(line \d+ column \d+\)/, '')
      .replace(/^JSON\.parse: /, '');
    if (offset < 0) throw new InputError(`not valid JSON: ${what}`);
    const { line, column } = lineColumn(text, offset);
    throw new InputError(`not valid JSON at line ${line}, column ${column}: ${what}`);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const e = new Error('The run was cancelled.');
    e.name = 'AbortError';
    throw e;
  }
}

export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

// ------------------------------------------------------------------ kinds

/** What a kind's run() gets (the runner builds it from its own context). */
export interface KindContext {
  gpu: Gpu;
  signal: AbortSignal;
  /** Record the summary so far: kept in the result if the run fails or is cancelled later. */
  setSummary(summary: unknown): void;
  /**
   * Write a file beside the result (the CLI's --artifacts DIR: DIR/<path>; absent elsewhere) — the
   * finetune kind's PEFT exports. Kinds must run the same without it.
   */
  saveFile?(path: string, data: Uint8Array | string): void;
  /** Load a matrix source named by the config (a file, a generator, an image). */
  loadMatrix(
    source: unknown,
    path: string,
  ): Promise<{ rows: number; cols: number; data: Float64Array; name: string }>;
}

/**
 * A kind's GPU-free half, exported by src/experiments/<kind>.schema.ts: what the UI, parseConfig
 * and scripts/gen-schemas.ts need. It may import only zod, other *.schema.ts files, the data-source
 * schema and the family spec schemas (src/structured/specs.ts) — never src/gpu, src/tensor, a
 * family's implementation or a shader (tests/unit/bundle-boundary.test.ts checks the UI's imports).
 */
export interface KindSchema<C = unknown, S = unknown> {
  kind: string;
  /** One line for the UI's preset list. */
  title: string;
  config: z.ZodType<C>;
  summary: z.ZodType<S>;
  /**
   * Checks that need more than the schema but no GPU or file (sizes against each other, specs
   * against the matrix shape when a generator fixes it). Throw InputError naming the path.
   */
  check?(config: C): void;
  /** Summary fields that are timings (left out of determinism comparisons). */
  timingFields: readonly string[];
  /** Series name prefixes that hold timings. */
  timingSeries: readonly string[];
}

/** A whole kind (engine side, src/experiments/<kind>.ts): its schema half plus run(). */
export interface ExperimentDef<C = unknown, S = unknown> extends KindSchema<C, S> {
  run(config: C, ctx: KindContext): AsyncGenerator<KindEvent, S>;
}

/** Identity with the right inference for a kind's schema half (in <kind>.schema.ts). */
export function defineKindSchema<C, S, K extends string>(
  def: KindSchema<C, S> & { kind: K },
): KindSchema<C, S> & { kind: K } {
  return def;
}

/**
 * Identity with the right inference for a whole kind (in <kind>.ts):
 * `defineExperiment({ ...approximationSchema, async *run(config, ctx) { … } })`.
 */
export function defineExperiment<C, S, K extends string>(
  def: ExperimentDef<C, S> & { kind: K },
): ExperimentDef<C, S> & { kind: K } {
  return def;
}
