/**
 * The experiment contract as zod schemas: the config (`smx/experiment@1`, discriminated on
 * `kind`) and the result (`smx/result@1`), built from the kinds in ./kinds.ts. parseConfig() is
 * the one validation entry point of the CLI, the worker and the UI; scripts/gen-schemas.ts turns
 * these schemas into public/schema/*.json.
 */
import { z } from 'zod';
import { CONFIG_SCHEMA_ID, formatPath, InputError, resultSchema } from './envelope';
import { type AnyExperiment, KINDS } from './kinds';

export * from './envelope';

const kindDefs = KINDS as unknown as AnyExperiment[];

type ObjectSchema = z.ZodObject<z.ZodRawShape>;

/** Any config: the union of every kind's config schema. */
export const ExperimentConfig = z.discriminatedUnion(
  'kind',
  kindDefs.map((k) => k.config as unknown as ObjectSchema) as [ObjectSchema, ...ObjectSchema[]],
);

/** Any result: the envelope around each kind's config and summary. */
export const ExperimentResultSchema = z.union(
  kindDefs.map((k) => resultSchema(k.kind, k.config, k.summary)) as unknown as [z.ZodType, ...z.ZodType[]],
);

export function kindNames(): string[] {
  return kindDefs.map((k) => k.kind);
}

export function getExperiment(kind: string): AnyExperiment {
  const def = kindDefs.find((k) => k.kind === kind);
  if (!def) throw new InputError(`unknown kind '${kind}' (known: ${kindNames().join(', ')})`, 'kind');
  return def;
}

/** The result schema of one kind. */
export function resultSchemaOf(kind: string): z.ZodType {
  const def = getExperiment(kind);
  return resultSchema(def.kind, def.config, def.summary);
}

function kindOf(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

/** zod says "Invalid input: expected number, received undefined" for a missing field. */
function clearer(message: string): string {
  return message.replace(/^Invalid input: expected (.+), received undefined$/, 'missing (expected $1)');
}

/** Turn zod issues into one InputError: the first issue's path, every issue listed. */
export function issuesToError(
  issues: readonly z.core.$ZodIssue[],
  prefix: ReadonlyArray<PropertyKey> = [],
): InputError {
  const lines = issues.slice(0, 8).map((i) => {
    const p = formatPath([...prefix, ...i.path]);
    return p ? `${p}: ${clearer(i.message)}` : clearer(i.message);
  });
  if (issues.length > 8) lines.push(`… and ${issues.length - 8} more`);
  const first = issues[0];
  const path = formatPath([...prefix, ...(first?.path ?? [])]);
  const head = first ? clearer(first.message) : 'invalid config';
  const detail = lines.length > 1 ? `${head}\n  ${lines.slice(1).join('\n  ')}` : head;
  return new InputError(detail, path);
}

/**
 * Validate a config (parsed JSON): envelope, kind, the kind's schema (defaults filled in), then the
 * kind's shape checks. Throws InputError naming the field path.
 */
export function parseConfig(input: unknown): {
  def: AnyExperiment;
  config: Record<string, unknown> & { kind: string; seed: number };
} {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new InputError(`a config must be a JSON object, got ${kindOf(input)}`);
  const obj = input as Record<string, unknown>;
  if (obj.schema !== CONFIG_SCHEMA_ID)
    throw new InputError(
      obj.schema === undefined
        ? `missing; must be "${CONFIG_SCHEMA_ID}"`
        : `must be "${CONFIG_SCHEMA_ID}", got ${JSON.stringify(obj.schema)}`,
      'schema',
    );
  if (typeof obj.kind !== 'string')
    throw new InputError(`must be one of ${kindNames().join(', ')}; got ${kindOf(obj.kind)}`, 'kind');
  const def = getExperiment(obj.kind);
  const parsed = def.config.safeParse(input);
  if (!parsed.success) throw issuesToError(parsed.error.issues);
  const config = parsed.data as Record<string, unknown> & { kind: string; seed: number };
  def.check?.(config);
  return { def, config };
}

/** Line and column (1-based) of a character offset in a text. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/**
 * JSON.parse with a syntax error that gives line and column (V8 gives only a character offset,
 * or nothing at the end of the input): `not valid JSON at line 3, column 5: Expected ',' or '}'
 * after property value`. Throws InputError.
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
