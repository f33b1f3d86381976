/**
 * Compare the figures of two results of the same config (a result file and its re-run): the
 * summary, the series and the artifacts, leaving out what legitimately differs between two runs
 * (id, dates, env, and the kind's timing fields and timing series).
 *
 * The difference of two numbers a, b is |a − b| / max(1, scale): absolute for figures below 1
 * (relative errors, recall), relative above. The scale is max(|a|, |b|) for a single number and the
 * largest magnitude of either list for a list of numbers (singular values, a series, a heatmap), so
 * the f32 noise in a spectrum's tail counts against the spectrum's size, not its own.
 * Strings, booleans and the shape of the result (keys, list lengths) must match exactly.
 */

/** Default tolerance of `npm run experiment -- result.json`: well above f32 rounding across GPUs. */
export const DEFAULT_TOLERANCE = 1e-4;

export interface FigureDiff {
  /** Field path, e.g. `summary.methods[2].relFrobError` or `series["error/lowrank"][3].value`. */
  path: string;
  old: unknown;
  new: unknown;
  /** Scaled difference (Infinity for a structural or text mismatch). */
  diff: number;
}

export interface Comparison {
  /** Numbers compared. */
  compared: number;
  /** The largest difference found (null when nothing was compared). */
  largest: FigureDiff | null;
  /** Every difference above the tolerance, largest first. */
  mismatches: FigureDiff[];
  tolerance: number;
}

export interface ComparableResult {
  summary: unknown;
  series: Record<string, Array<{ step: number; value: number }>>;
  artifacts: Record<string, unknown>;
}

export interface CompareOptions {
  tolerance?: number;
  /** Object keys left out wherever they occur (the kind's timing fields). */
  ignoreKeys?: readonly string[];
  /** Series whose name starts with one of these are left out (timing series). */
  ignoreSeries?: readonly string[];
  /** Exact paths left out (e.g. `summary.matrix.name` when the matrix file was renamed). */
  ignorePaths?: readonly string[];
}

const isNumList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');

const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

function maxAbs(a: number[]): number {
  let m = 0;
  for (const x of a) if (Math.abs(x) > m) m = Math.abs(x);
  return m;
}

function numDiff(a: number, b: number, scale: number): number {
  if (Object.is(a, b) || a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Number.POSITIVE_INFINITY;
  return Math.abs(a - b) / Math.max(1, scale);
}

export function compareFigures(
  oldR: ComparableResult,
  newR: ComparableResult,
  opts: CompareOptions = {},
): Comparison {
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  const ignoreKeys = new Set(opts.ignoreKeys ?? []);
  const ignorePaths = new Set(opts.ignorePaths ?? []);
  const diffs: FigureDiff[] = [];
  let compared = 0;
  let largest: FigureDiff | null = null;
  const note = (d: FigureDiff) => {
    if (!largest || d.diff > largest.diff) largest = d;
    if (d.diff > tolerance) diffs.push(d);
  };
  const shown = (v: unknown) =>
    v === undefined
      ? 'missing'
      : Array.isArray(v)
        ? `a list of ${v.length}`
        : typeof v === 'object' && v
          ? 'an object'
          : v;

  const walk = (a: unknown, b: unknown, path: string, listScale?: number): void => {
    if (ignorePaths.has(path)) return;
    if (typeof a === 'number' && typeof b === 'number') {
      compared++;
      note({ path, old: a, new: b, diff: numDiff(a, b, listScale ?? Math.max(Math.abs(a), Math.abs(b))) });
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) {
        note({ path, old: shown(a), new: shown(b), diff: Number.POSITIVE_INFINITY });
        return;
      }
      const scale = isNumList(a) && isNumList(b) ? Math.max(maxAbs(a), maxAbs(b)) : undefined;
      a.forEach((x, i) => {
        walk(x, b[i], `${path}[${i}]`, scale);
      });
      return;
    }
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const ao = a as Record<string, unknown>;
      const bo = b as Record<string, unknown>;
      for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
        if (ignoreKeys.has(k)) continue;
        walk(ao[k], bo[k], `${path}${key(k)}`);
      }
      return;
    }
    if (a === b) return;
    note({ path, old: shown(a), new: shown(b), diff: Number.POSITIVE_INFINITY });
  };

  walk(oldR.summary, newR.summary, 'summary');
  const keepSeries = (name: string) => !(opts.ignoreSeries ?? []).some((p) => name.startsWith(p));
  const names = new Set([...Object.keys(oldR.series), ...Object.keys(newR.series)].filter(keepSeries));
  for (const name of names) {
    const a = oldR.series[name];
    const b = newR.series[name];
    const path = `series${key(name)}`;
    if (!a || !b || a.length !== b.length) {
      walk(a, b, path);
      continue;
    }
    // Steps and values each scaled as one list (a series is one curve).
    for (const field of ['step', 'value'] as const) {
      const xa = a.map((p) => p[field]);
      const xb = b.map((p) => p[field]);
      const scale = Math.max(maxAbs(xa), maxAbs(xb));
      xa.forEach((x, i) => {
        walk(x, xb[i], `${path}[${i}].${field}`, scale);
      });
    }
  }
  walk(oldR.artifacts, newR.artifacts, 'artifacts');
  diffs.sort((x, y) => y.diff - x.diff);
  return { compared, largest, mismatches: diffs, tolerance };
}

const fmt = (v: unknown) => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v));

/** One line per difference: `path: old → new (difference d)`. */
export function formatDiff(d: FigureDiff): string {
  const size = Number.isFinite(d.diff) ? ` (difference ${d.diff.toExponential(2)})` : '';
  return `${d.path}: ${fmt(d.old)} → ${fmt(d.new)}${size}`;
}
