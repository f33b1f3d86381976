/**
 * Pure helpers of the playground: the partial result a run's events build up, the URL hash that
 * carries the config, and import validation.
 */
import {
  type Artifact,
  CONFIG_SCHEMA_ID,
  type ExperimentEvent,
  type ExperimentResult,
  ExperimentResultSchema,
  issuesToError,
  kindNames,
  parseConfig,
  RESULT_SCHEMA_ID,
  resultSchemaOf,
  type SeriesPoint,
} from '../experiments/schema';

/** What the plots read: a finished result, or the part of one that a running experiment has sent. */
export interface ResultView {
  kind: string;
  config: Record<string, unknown>;
  summary: unknown;
  series: Record<string, SeriesPoint[]>;
  artifacts: Record<string, Artifact>;
  status: 'running' | ExperimentResult['status'];
  id: string | null;
}

export function emptyView(config: Record<string, unknown>): ResultView {
  return {
    kind: String(config.kind),
    config,
    summary: null,
    series: {},
    artifacts: {},
    status: 'running',
    id: null,
  };
}

export function viewOf(r: ExperimentResult): ResultView {
  return {
    kind: r.kind,
    config: r.config as Record<string, unknown>,
    summary: r.summary,
    series: r.series,
    artifacts: r.artifacts,
    status: r.status,
    id: r.id,
  };
}

/** The view after one streamed event (progress events leave it unchanged). */
export function applyRunEvent(v: ResultView, e: ExperimentEvent): ResultView {
  switch (e.type) {
    case 'metric': {
      const prev = v.series[e.series] ?? [];
      return { ...v, series: { ...v.series, [e.series]: [...prev, { step: e.step, value: e.value }] } };
    }
    case 'artifact':
      return { ...v, artifacts: { ...v.artifacts, [e.name]: e.data } };
    case 'done':
      return viewOf(e.result);
    default:
      return v;
  }
}

/** Seconds left, from the fraction done and the time spent (null until there is a fraction). */
export function etaSeconds(fraction: number, elapsedMs: number): number | null {
  if (!(fraction > 0.01) || fraction >= 1) return null;
  return (elapsedMs * (1 - fraction)) / fraction / 1000;
}

// ------------------------------------------------------------------ URL hash

const HASH_KEY = 'config=';

export function configToHash(config: unknown): string {
  return `#${HASH_KEY}${encodeURIComponent(JSON.stringify(config))}`;
}

/** The config in a hash (parsed JSON, not yet validated), or null when the hash has none. */
export function configFromHash(hash: string): unknown | null {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h.startsWith(HASH_KEY)) return null;
  try {
    return JSON.parse(decodeURIComponent(h.slice(HASH_KEY.length)));
  } catch (e) {
    throw new Error(`The link's config is not valid JSON: ${(e as Error).message}`);
  }
}

// ------------------------------------------------------------------ import

export type Imported =
  | { type: 'result'; result: ExperimentResult }
  | { type: 'config'; config: Record<string, unknown> & { kind: string; seed: number } };

/** Parse and validate an imported file's text; throws an Error whose message names the problem. */
export function parseImport(text: string, fileName = 'the file'): Imported {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName} is not valid JSON: ${(e as Error).message}`);
  }
  const obj = data as { schema?: unknown } | null;
  if (obj && typeof obj === 'object' && obj.schema === RESULT_SCHEMA_ID) {
    const kind = (data as { kind?: unknown }).kind;
    const schema =
      typeof kind === 'string' && kindNames().includes(kind) ? resultSchemaOf(kind) : ExperimentResultSchema;
    const parsed = schema.safeParse(data);
    if (!parsed.success)
      throw new Error(`${fileName} is not a valid result: ${issuesToError(parsed.error.issues).message}`);
    return { type: 'result', result: parsed.data as ExperimentResult };
  }
  if (obj && typeof obj === 'object' && obj.schema === CONFIG_SCHEMA_ID) {
    try {
      return { type: 'config', config: parseConfig(data).config };
    } catch (e) {
      throw new Error(`${fileName} is not a valid config: ${(e as Error).message}`);
    }
  }
  if (Array.isArray(data)) {
    // A JSON array of records: encode it with the binding (MBAT) kind.
    try {
      return {
        type: 'config',
        // Small enough to run in a few seconds in the browser; edit the config for more.
        config: parseConfig({
          schema: CONFIG_SCHEMA_ID,
          kind: 'binding',
          seed: 0,
          dim: 64,
          wrapDepths: [0, 4],
          records: data,
        }).config,
      };
    } catch (e) {
      throw new Error(`${fileName} is not usable as binding records: ${(e as Error).message}`);
    }
  }
  throw new Error(
    `${fileName} is neither a result ("schema": "${RESULT_SCHEMA_ID}"), a config ("schema": "${CONFIG_SCHEMA_ID}") nor a JSON array of records (the binding kind encodes those)`,
  );
}
