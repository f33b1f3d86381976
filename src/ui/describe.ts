/**
 * Words for what ran (pure; tested in Node): a config's description for titles and history, what
 * changed between a shown result's config and the controls (stale results), and what to do about
 * an error the worker reported.
 */
import { familyName } from './plots/conventions';

type Obj = Record<string, unknown>;

/** The matrix a config names, in words: "lowrank-noise 64 × 64", "w.npy (100 × 80)", "image airplane 128 × 128". */
export function describeMatrix(
  matrix: Obj | undefined,
  shape?: { rows: number; cols: number } | null,
): string {
  if (!matrix) return 'no matrix';
  switch (matrix.source) {
    case 'generate':
      return `${String(matrix.generator)} ${String(matrix.rows ?? matrix.n)} × ${String(matrix.cols ?? matrix.n)}`;
    case 'image':
      return `image ${String(matrix.image)} ${String(matrix.size)} × ${String(matrix.size)}`;
    case 'bytes':
    case 'file': {
      const name = String(matrix.name ?? matrix.path ?? 'file');
      return shape ? `${name} (${shape.rows} × ${shape.cols})` : name;
    }
    default:
      return String(matrix.source);
  }
}

/**
 * A title for what this config runs. A preset's own name is kept only while the config is the
 * preset's (unchanged); any edit, a dropped file or another size gets a description instead.
 */
export function describeConfig(config: Obj, shape?: { rows: number; cols: number } | null): string {
  if (typeof config.name === 'string' && config.name) return config.name;
  const seed = `seed ${String(config.seed ?? 0)}`;
  switch (config.kind) {
    case 'approximation': {
      const methods = (config.methods as Array<{ family: string }> | undefined) ?? [];
      const fams = [...new Set(methods.map((m) => familyName(m.family)))].join(', ');
      return `Approximation of ${describeMatrix(config.matrix as Obj, shape)} by ${fams} (${seed})`;
    }
    case 'spectrum': {
      const entries = (config.entries as Array<{ n?: number }> | undefined) ?? [];
      const ns = [...new Set(entries.map((e) => e.n ?? 64))].join(', ');
      return `Spectra of ${entries.length} matrices, n = ${ns} (${seed})`;
    }
    case 'speedup': {
      const sizes = (config.sizes as number[] | undefined) ?? [];
      return `Speedup over dense GEMM at n = ${sizes.join(', ')} (${seed})`;
    }
    default:
      return `${String(config.kind)} (${seed})`;
  }
}

/** The config without its name, for comparing what two configs run. */
export function withoutName(config: Obj): Obj {
  const { name: _name, ...rest } = config;
  return rest;
}

function flatten(x: unknown, path: string, out: Map<string, unknown>) {
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) flatten(x[i], `${path}[${i}]`, out);
  } else if (x && typeof x === 'object')
    for (const [k, v] of Object.entries(x as Obj)) flatten(v, path ? `${path}.${k}` : k, out);
  else out.set(path, x);
}

/** A config path in a reader's words: "methods[0].rank" → "Low rank rank" (family from the config). */
function pathName(path: string, config: Obj): string {
  const m = /^methods\[(\d+)\]\.(\w+)$/.exec(path);
  if (m) {
    const spec = (config.methods as Array<{ family: string }> | undefined)?.[Number(m[1])];
    if (spec) return `${familyName(spec.family)} ${m[2]}`;
  }
  const mm = /^matrix\.(\w+)$/.exec(path);
  if (mm) return mm[1] === 'rows' || mm[1] === 'cols' ? `matrix ${mm[1]}` : `matrix ${mm[1]}`;
  return path;
}

const show = (v: unknown) => (v === undefined ? '(unset)' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * What the shown result ran with that the controls no longer say, as short phrases
 * ("Low rank rank = 8 (controls: 30)"), at most `limit` of them; [] when they agree.
 */
export function staleness(resultConfig: Obj, current: Obj, limit = 3): string[] {
  if (resultConfig.kind !== current.kind)
    return [`the ${String(resultConfig.kind)} experiment (the controls are now for ${String(current.kind)})`];
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(withoutName(resultConfig), '', a);
  flatten(withoutName(current), '', b);
  const out: string[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    // A field the controls leave unset is the engine's default, which the result spells out.
    if (a.get(key) === b.get(key) || !b.has(key)) continue;
    out.push(`${pathName(key, resultConfig)} = ${show(a.get(key))} (controls: ${show(b.get(key))})`);
  }
  if (out.length > limit) return [...out.slice(0, limit), `${out.length - limit} more`];
  return out;
}

/**
 * What the user can do about a worker error, appended to its message; null when the message
 * already says it. Recognises the engine's messages for a missing dropped file and for limits.
 */
export function errorAdvice(message: string): string | null {
  const rank = /rank (\d+) is larger than min\(out, in\) = (\d+)/.exec(message);
  if (rank)
    return `Rank must be ≤ ${rank[2]} for this matrix: move the Rank slider (it stops at ${rank[2]}).`;
  if (/source "bytes".*needs the file's bytes/.test(message))
    return 'The dropped file is not on this page (a link carries only its name): drop the file again.';
  if (/must divide/.test(message)) return 'The sliders offer only values that divide the matrix size.';
  return null;
}

/** "name (path): message — advice" for the banner. */
export function errorText(e: { name: string; message: string; path?: string }): string {
  const where = e.path ? ` (${e.path})` : '';
  const advice = errorAdvice(e.message);
  return `${e.name}${where}: ${e.message}${advice ? ` — ${advice}` : ''}`;
}
