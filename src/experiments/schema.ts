/**
 * The experiment contract as zod schemas: the config (`smx/experiment@1`, discriminated on
 * `kind`) and the result (`smx/result@1`), built from the kinds' schema halves in ./kind-schemas.ts
 * (GPU-free: the UI's bundle loads this file without the engine). parseConfig() is the one
 * validation entry point of the CLI, the worker and the UI; scripts/gen-schemas.ts turns these
 * schemas into public/schema/*.json.
 */
import { z } from 'zod';
import { CONFIG_SCHEMA_ID, formatPath, InputError, resultSchema } from './envelope';
import { type AnyKindSchema, KIND_SCHEMAS } from './kind-schemas';

export * from './envelope';

const kindDefs = KIND_SCHEMAS as readonly unknown[] as AnyKindSchema[];

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

export function getExperiment(kind: string): AnyKindSchema {
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

/** Optimal-string-alignment distance (an adjacent swap counts 1: "rnak" is 1 from "rank"). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** The known key closest to a typo, if it is close enough to be what was meant. */
export function closestKey(typo: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  const t = typo.toLowerCase();
  for (const k of known) {
    const dist = editDistance(t, k.toLowerCase());
    if (dist < bestD) {
      best = k;
      bestD = dist;
    }
  }
  return best !== null && bestD <= (typo.length <= 3 ? 1 : 2) ? best : null;
}

// biome-ignore lint/suspicious/noExplicitAny: zod's internal definition objects are walked by type
type AnyDef = any;

/** The keys an object schema allows at `path` of `input` (following unions by the input's tag). */
export function knownKeysAt(
  schema: z.ZodType,
  input: unknown,
  path: ReadonlyArray<PropertyKey>,
): string[] | null {
  let def: AnyDef = (schema as AnyDef)._zod?.def;
  let value: unknown = input;
  let i = 0;
  for (let guard = 0; def && guard < 64; guard++) {
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
        def = def.innerType?._zod?.def;
        continue;
      case 'pipe':
        def = def.in?._zod?.def;
        continue;
      case 'union': {
        const opts: AnyDef[] = def.options.map((o: AnyDef) => o._zod.def);
        const tag = def.discriminator as string | undefined;
        const v = value as Record<string, unknown> | undefined;
        // An option matches by its tag; a nested union (MatrixSource → GenerateSource) matches when
        // one of its own options does, and is then followed by its own tag.
        const hasTag = (o: AnyDef): boolean =>
          o.type === 'object'
            ? Boolean(o.shape?.[tag as string]?._zod?.def?.values?.includes?.(v?.[tag as string]))
            : o.type === 'union'
              ? o.options.some((x: AnyDef) => hasTag(x._zod.def))
              : false;
        const match = tag ? opts.find(hasTag) : undefined;
        if (match) {
          def = match;
          continue;
        }
        if (i === path.length) {
          const keys = opts.filter((o) => o.type === 'object').flatMap((o) => Object.keys(o.shape));
          return keys.length ? [...new Set(keys)] : null;
        }
        return null;
      }
      case 'object':
        if (i === path.length) return Object.keys(def.shape);
        def = def.shape[String(path[i])]?._zod?.def;
        value = (value as Record<string, unknown> | undefined)?.[String(path[i])];
        i++;
        continue;
      case 'array':
        if (i === path.length) return null;
        def = def.element?._zod?.def;
        value = (value as unknown[] | undefined)?.[Number(path[i])];
        i++;
        continue;
      default:
        return null;
    }
  }
  return null;
}

/** zod says "Invalid input: expected number, received undefined" for a missing field. */
function clearer(message: string): string {
  return message.replace(/^Invalid input: expected (.+), received undefined$/, 'missing (expected $1)');
}

interface Line {
  path: ReadonlyArray<PropertyKey>;
  message: string;
}

/**
 * One line per problem. An unrecognized key becomes `<path>.<key>: unknown key (did you mean
 * "rank"?)` when the schema (and the input, for unions) are given, listed first; a "missing" line
 * for the key it suggests is dropped (the typo is the problem, not the absence).
 */
function issueLines(
  issues: readonly z.core.$ZodIssue[],
  schema?: { schema: z.ZodType; input: unknown },
): Line[] {
  const unknown: Line[] = [];
  const meant = new Set<string>();
  const rest: Line[] = [];
  for (const i of issues) {
    if (i.code !== 'unrecognized_keys') {
      rest.push({ path: i.path, message: clearer(i.message) });
      continue;
    }
    const known = schema ? knownKeysAt(schema.schema, schema.input, i.path) : null;
    for (const k of i.keys) {
      const guess = known ? closestKey(k, known) : null;
      if (guess) meant.add(formatPath([...i.path, guess]));
      const hint = guess ? ` (did you mean "${guess}"?)` : known ? ` (known keys: ${known.join(', ')})` : '';
      unknown.push({ path: [...i.path, k], message: `unknown key${hint}` });
    }
  }
  return [
    ...unknown,
    ...rest.filter((l) => !(meant.has(formatPath(l.path)) && l.message.startsWith('missing'))),
  ];
}

/**
 * Turn zod issues into one InputError: the first issue's path, every issue listed. With the schema
 * and the input that was parsed, unknown keys suggest the key that was probably meant.
 */
export function issuesToError(
  issues: readonly z.core.$ZodIssue[],
  prefix: ReadonlyArray<PropertyKey> = [],
  schema?: { schema: z.ZodType; input: unknown },
): InputError {
  const all = issueLines(issues, schema);
  const lines = all.slice(0, 8).map((l) => {
    const p = formatPath([...prefix, ...l.path]);
    return p ? `${p}: ${l.message}` : l.message;
  });
  if (all.length > 8) lines.push(`… and ${all.length - 8} more`);
  const first = all[0];
  const path = formatPath([...prefix, ...(first?.path ?? [])]);
  const head = first ? first.message : 'invalid config';
  const detail = lines.length > 1 ? `${head}\n  ${lines.slice(1).join('\n  ')}` : head;
  return new InputError(detail, path);
}

/**
 * Validate a config (parsed JSON): envelope, kind, the kind's schema (defaults filled in), then the
 * kind's shape checks. Throws InputError naming the field path.
 */
export function parseConfig(input: unknown): {
  def: AnyKindSchema;
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
  if (!parsed.success) throw issuesToError(parsed.error.issues, [], { schema: def.config, input });
  const config = parsed.data as Record<string, unknown> & { kind: string; seed: number };
  def.check?.(config);
  return { def, config };
}
