/**
 * The values a control may offer for a given matrix (pure; tested in Node), so that a slider walks
 * only through valid values: divisors for block counts, N:M pairs whose m divides the columns.
 * The rules mirror each family's validate() in src/structured (blockdiag: blocks divides both sides;
 * Monarch: m1 divides cols; N:M: n ≤ m, m divides cols).
 */
import { GenerateSource } from '../data/sources.schema';

/** Divisors of n, ascending. */
export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/** Block counts that divide both sides (blockdiag), or only cols (Monarch's m1). */
export function blockValues(family: string, rows: number, cols: number): number[] {
  if (family === 'monarch') return divisors(cols);
  return divisors(cols).filter((d) => rows % d === 0);
}

/** Monarch's default m1 when `blocks` is omitted: the divisor of cols closest to √cols. */
export function monarchDefaultBlocks(cols: number): number {
  const r = Math.sqrt(cols);
  let best = 1;
  for (const d of divisors(cols)) if (Math.abs(d - r) < Math.abs(best - r)) best = d;
  return best;
}

/** Valid N:M patterns for a matrix with `cols` inputs: m a power of two ≤ 32 dividing cols, 1 ≤ n < m. */
export function nmPairs(cols: number): Array<{ n: number; m: number }> {
  const out: Array<{ n: number; m: number }> = [];
  for (let m = 2; m <= 32; m *= 2) {
    if (cols % m !== 0) continue;
    for (let n = 1; n < m; n *= 2) out.push({ n, m });
  }
  return out;
}

/** The allowed value nearest to v (ties go to the smaller). */
export function nearest(values: number[], v: number): number {
  let best = values[0];
  for (const x of values) if (Math.abs(x - v) < Math.abs(best - v)) best = x;
  return best;
}

/** Generators whose matrix is n × n through a single `n` field (Monarch, Toeplitz …), read from the schema. */
export const SQUARE_GENERATORS: ReadonlySet<string> = new Set(
  GenerateSource.options.filter((o) => 'n' in o.shape).map((o) => o.shape.generator.value as string),
);

/**
 * A generator spec resized to v × v through the fields that generator actually has: `n` for the
 * square generators (a `blocks` that no longer divides n falls back to the default), `rows` and
 * `cols` for the others (a low-rank generator's rank capped at v). Sources are strict, so setting
 * rows on a Monarch generator would be refused, not ignored.
 */
export function withMatrixSize(matrix: Record<string, unknown>, v: number): Record<string, unknown> {
  if (SQUARE_GENERATORS.has(String(matrix.generator))) {
    const next: Record<string, unknown> = { ...matrix, n: v };
    if (typeof next.blocks === 'number' && v % next.blocks !== 0) delete next.blocks;
    return next;
  }
  const next: Record<string, unknown> = { ...matrix, rows: v, cols: v };
  if ('rank' in matrix) next.rank = Math.min(Number(matrix.rank), v);
  return next;
}
