/**
 * The sparse patterns as data (`{type: 'a-shape', init, local}` …), one builder entry point, default
 * budget ladders scaled to n, and the per-head pattern search: for each head, the pattern and budget
 * with the highest recall among those whose density stays within a budget (MInference's offline
 * search, with recall as its score).
 */
import type { Tensor } from '../tensor/tensor';
import { aShapeIndex, blockSparseIndex, verticalSlashIndex } from './index-builders';
import { indexQuality, SparseIndex } from './sparse';

export type Pattern =
  | { type: 'dense' }
  | { type: 'a-shape'; init: number; local: number }
  | { type: 'vertical-slash'; vertical: number; slash: number }
  | { type: 'block-sparse'; topk: number };

export type SparsePattern = Exclude<Pattern, { type: 'dense' }>;

export function patternLabel(p: Pattern): string {
  switch (p.type) {
    case 'dense':
      return 'dense';
    case 'a-shape':
      return `A-shape init ${p.init} local ${p.local}`;
    case 'vertical-slash':
      return `vertical-slash v ${p.vertical} s ${p.slash}`;
    case 'block-sparse':
      return `block-sparse top ${p.topk}`;
  }
}

/** Build the pattern's index for every head of Q, K (records GPU work; nothing is read back). */
export function buildIndex(q: Tensor, k: Tensor, p: SparsePattern): SparseIndex {
  switch (p.type) {
    case 'a-shape':
      return aShapeIndex(q, p.init, p.local);
    case 'vertical-slash':
      return verticalSlashIndex(q, k, p.vertical, p.slash);
    case 'block-sparse':
      return blockSparseIndex(q, k, p.topk);
  }
}

/** Budget ladders for each pattern type at length n, from very sparse to nearly dense. */
export function budgetLadder(type: SparsePattern['type'], n: number): SparsePattern[] {
  const rows = Math.ceil(n / 64);
  const fr = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64];
  const uniq = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()];
  switch (type) {
    case 'a-shape':
      return uniq(
        fr.map((f) => ({ type, init: 4, local: Math.max(1, Math.round(f * n)) })),
        (p) => String(p.local),
      );
    case 'vertical-slash':
      return uniq(
        fr.map((f) => ({
          type,
          vertical: Math.max(8, Math.round(f * n)),
          slash: Math.max(8, Math.round((f * n) / 16)),
        })),
        (p) => `${p.vertical}/${p.slash}`,
      );
    case 'block-sparse':
      return uniq(
        fr.map((f) => ({ type, topk: Math.max(1, Math.round(f * rows)) })),
        (p) => String(p.topk),
      );
  }
}

export interface Evaluated {
  pattern: SparsePattern;
  recall: number[];
  density: number[];
}

/** Recall and density of each candidate for every head (one index build + one pass each). */
export async function evaluatePatterns(
  q: Tensor,
  k: Tensor,
  candidates: SparsePattern[],
  lse?: Tensor,
): Promise<Evaluated[]> {
  const out: Evaluated[] = [];
  for (const pattern of candidates) {
    const ix = buildIndex(q, k, pattern);
    try {
      const qual = await indexQuality(q, k, ix, lse);
      out.push({ pattern, ...qual });
    } finally {
      ix.dispose();
    }
  }
  return out;
}

export interface HeadChoice {
  head: number;
  pattern: SparsePattern | null;
  recall: number;
  density: number;
}

/** Per head, the candidate with the highest recall whose density is ≤ maxDensity (null if none). */
export function choosePerHead(evals: Evaluated[], heads: number, maxDensity: number): HeadChoice[] {
  const out: HeadChoice[] = [];
  for (let h = 0; h < heads; h++) {
    let best: HeadChoice = { head: h, pattern: null, recall: -1, density: 0 };
    for (const e of evals) {
      if (e.density[h] > maxDensity) continue;
      if (e.recall[h] > best.recall || (e.recall[h] === best.recall && e.density[h] < best.density))
        best = { head: h, pattern: e.pattern, recall: e.recall[h], density: e.density[h] };
    }
    if (!best.pattern) best.recall = 0;
    out.push(best);
  }
  return out;
}

export { SparseIndex };
