/**
 * Kind `sparse-attention`: seeded synthetic heads (src/attention/synthetic.ts), the fused dense
 * causal attention as the reference, and for each configured pattern its index built on the GPU,
 * recall and density (src/attention/sparse.ts indexQuality), relative output error of the sparse
 * kernel against dense, and GPU times of the index build, the sparse kernel and the fused dense
 * kernel, timed alternately (measure.ts). With `curves`, each pattern type's budget ladder gives the
 * recall-vs-density curve (series curve/<type>/{budget,density,recall,error}) and head 0's mask per
 * rung (artifacts curveMask/<type>/<rung>); `maxDensity` adds the per-head pattern search.
 * Artifacts: `map` (head 0's attention, log10, block means over sampled rows) and `mask/<i>`.
 */
import { fusedForward } from '../attention/fused';
import { attentionInputs } from '../attention/inputs';
import {
  budgetLadder,
  buildIndex,
  choosePerHead,
  type Evaluated,
  patternLabel,
  type SparsePattern,
} from '../attention/patterns';
import { indexQuality, type SparseIndex, sparseAttention } from '../attention/sparse';
import type { Gpu } from '../gpu/device';
import { median } from '../gpu/stats';
import type { SparseIndexRef } from '../reference/attention';
import { Tensor } from '../tensor/tensor';
import { type Artifact, defineExperiment, type KindEvent, throwIfAborted } from './envelope';
import { sig, timeAlternating } from './measure';
import {
  type SparseAttentionConfig,
  type SparseAttentionSummary,
  sparseAttentionSchema,
} from './sparse-attention.schema';

export { SparseAttentionConfig, SparseAttentionSummary } from './sparse-attention.schema';

type MatrixArtifact = Artifact & { type: 'matrix' };

/** Cells of the attention map and mask artifacts (per side). */
export const MAP_CELLS = 64;

export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}

/** Rows sampled for the map: two per cell row (all rows when n is small). */
export function sampledRows(n: number): number[] {
  const cells = Math.min(MAP_CELLS, n);
  const rows = new Set<number>();
  for (let a = 0; a < cells; a++) {
    const lo = Math.floor((a * n) / cells);
    const hi = Math.floor(((a + 1) * n) / cells);
    if (hi - lo <= 2) for (let i = lo; i < hi; i++) rows.add(i);
    else {
      rows.add(lo + Math.floor((hi - lo) / 3));
      rows.add(lo + Math.floor((2 * (hi - lo)) / 3));
    }
  }
  return [...rows].sort((x, y) => x - y);
}

/** Head 0's causal attention probabilities on the sampled rows, f64 on the CPU. */
function attentionRows(q: Float32Array, k: Float32Array, d: number, rows: number[]): Float64Array[] {
  const scale = 1 / Math.sqrt(d);
  return rows.map((i) => {
    const s = new Float64Array(i + 1);
    let m = -Infinity;
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += q[i * d + c] * k[j * d + c];
      s[j] = dot * scale;
      if (s[j] > m) m = s[j];
    }
    let l = 0;
    for (let j = 0; j <= i; j++) l += Math.exp(s[j] - m);
    for (let j = 0; j <= i; j++) s[j] = Math.exp(s[j] - m) / l;
    return s;
  });
}

function cellGrid(
  n: number,
  rows: number[],
  value: (r: number, i: number, emit: (j: number, x: number) => void) => void,
  label: string,
): MatrixArtifact {
  const cells = Math.min(MAP_CELLS, n);
  const sum = new Float64Array(cells * cells);
  const cnt = new Float64Array(cells * cells);
  rows.forEach((i, r) => {
    const a = Math.floor((i * cells) / n);
    for (let b = 0; b < cells; b++) {
      const lo = Math.floor((b * n) / cells);
      const hi = Math.floor(((b + 1) * n) / cells);
      cnt[a * cells + b] += hi - lo;
    }
    value(r, i, (j, x) => {
      sum[a * cells + Math.floor((j * cells) / n)] += x;
    });
  });
  const out: MatrixArtifact = {
    type: 'matrix',
    label,
    rows: cells,
    cols: cells,
    values: Array.from(sum, (s, c) => sig(s / Math.max(cnt[c], 1), 4)),
  };
  if (cells !== n) {
    out.sourceRows = n;
    out.sourceCols = n;
  }
  return out;
}

function mapArtifact(probs: Float64Array[], n: number, rows: number[]): MatrixArtifact {
  const m = cellGrid(
    n,
    rows,
    (r, _i, emit) => {
      for (let j = 0; j < probs[r].length; j++) emit(j, probs[r][j]);
    },
    'attention probability (log10 of block means, head 0)',
  );
  m.values = m.values.map((x) => sig(Math.log10(Math.max(x, 1e-8)), 4));
  return m;
}

export function maskArtifact(ix: SparseIndexRef, n: number, rows: number[], label: string): MatrixArtifact {
  return cellGrid(
    n,
    rows,
    (_r, i, emit) => {
      const b = Math.floor(i / 64);
      for (let t = 0; t < ix.blockCount[b]; t++) {
        const o = ix.blockOffset[b * ix.nnzS + t];
        for (let j = o; j < o + 64 && j <= i; j++) emit(j, 1);
      }
      for (let c = 0; c < ix.columnCount[b]; c++) {
        const j = ix.columnIndex[b * ix.nnzV + c];
        if (j <= i) emit(j, 1);
      }
    },
    label,
  );
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * One index against dense attention: per-head recall and density (indexQuality, from the dense
 * log-sum-exps) and the sparse kernel's relative output error over all heads. Shared by the run and
 * the playground's live sliders (src/runtime/live-attention.ts).
 */
export async function measureIndex(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  ix: SparseIndex,
  denseLse: Tensor,
  denseOut: ArrayLike<number>,
): Promise<{ recall: number[]; density: number[]; relOutputError: number }> {
  const qual = await indexQuality(q, k, ix, denseLse);
  const out = sparseAttention(q, k, v, ix);
  try {
    return { ...qual, relOutputError: relError(await out.read(), denseOut) };
  } finally {
    out.dispose();
  }
}

/**
 * An attention input (synthetic heads or a shipped model's Q, K, V) on the GPU with its dense
 * reference: the fused dense output read back and its row log-sum-exps kept on the GPU. Shared by
 * the run and the view's live recompute (src/runtime/live-attention.ts); `dispose` frees the tensors.
 */
export async function denseReference(
  gpu: Gpu,
  input: SparseAttentionConfig['input'],
  heads: number,
  n: number,
  d: number,
  seed: number,
) {
  const syn = await attentionInputs(gpu, input, heads, n, d, seed);
  const shape = [heads, n, d];
  const q = Tensor.fromArray(gpu, syn.q, shape);
  const k = Tensor.fromArray(gpu, syn.k, shape);
  const v = Tensor.fromArray(gpu, syn.v, shape);
  const dense = fusedForward(q, k, v);
  const dispose = () => {
    for (const t of [q, k, v, dense.lse]) t.dispose();
  };
  try {
    const denseOut = await dense.out.read();
    return { syn, q, k, v, lse: dense.lse, denseOut, dispose };
  } catch (e) {
    dispose();
    throw e;
  } finally {
    dense.out.dispose();
  }
}

export const sparseAttentionKind = defineExperiment({
  ...sparseAttentionSchema,
  async *run(config, ctx): AsyncGenerator<KindEvent, SparseAttentionSummary> {
    const gpu = ctx.gpu;
    const { heads, n, d } = config;
    const summary: SparseAttentionSummary = {
      timing: gpu.hasTimestamps ? 'timestamp-query' : 'wall-clock',
      patterns: [],
    };
    ctx.setSummary(summary);
    const ref = await denseReference(gpu, config.input, heads, n, d, config.seed);
    const { syn, q, k, v, lse, denseOut } = ref;
    yield { type: 'progress', fraction: 0, message: syn.source };
    try {
      const rows = sampledRows(n);
      const probs = attentionRows(syn.q.subarray(0, n * d), syn.k.subarray(0, n * d), d, rows);
      yield { type: 'artifact', name: 'map', data: mapArtifact(probs, n, rows) };
      const recordDense = () => {
        const r = fusedForward(q, k, v);
        r.out.dispose();
        r.lse.dispose();
      };
      const total = config.patterns.length + (config.curves ? 3 : 0);
      for (let i = 0; i < config.patterns.length; i++) {
        throwIfAborted(ctx.signal);
        const p = config.patterns[i];
        const label = p.label ?? patternLabel(p);
        yield { type: 'progress', fraction: i / total, message: label };
        if (p.type === 'dense') {
          const ms = config.timing
            ? sig(
                median((await timeAlternating(gpu, [recordDense], config.warmup, config.repeats)).samples[0]),
              )
            : 0;
          summary.patterns.push({
            label,
            type: 'dense',
            density: 1,
            recall: 1,
            relOutputError: 0,
            indexMs: 0,
            sparseMs: ms,
            denseMs: ms,
            headRecall: Array(heads).fill(1),
            headDensity: Array(heads).fill(1),
          });
          continue;
        }
        const sp = p as SparsePattern;
        const ix = buildIndex(q, k, sp);
        try {
          const { relOutputError: err, ...qual } = await measureIndex(q, k, v, ix, lse, denseOut);
          const head0 = (await ix.read())[0];
          yield {
            type: 'artifact',
            name: `mask/${i}`,
            data: maskArtifact(head0, n, rows, `${label} (head 0)`),
          };
          const samples = config.timing
            ? (
                await timeAlternating(
                  gpu,
                  [
                    recordDense,
                    () => sparseAttention(q, k, v, ix).dispose(),
                    () => buildIndex(q, k, sp).dispose(),
                  ],
                  config.warmup,
                  config.repeats,
                )
              ).samples
            : [[0], [0], [0]];
          summary.patterns.push({
            label,
            type: sp.type,
            density: sig(mean(qual.density)),
            recall: sig(mean(qual.recall)),
            relOutputError: sig(err),
            indexMs: sig(median(samples[2])),
            sparseMs: sig(median(samples[1])),
            denseMs: sig(median(samples[0])),
            headRecall: qual.recall.map((x) => sig(x)),
            headDensity: qual.density.map((x) => sig(x)),
          });
        } finally {
          ix.dispose();
        }
      }
      if (config.curves || config.maxDensity !== undefined) {
        const evals: Evaluated[] = [];
        const types = ['a-shape', 'vertical-slash', 'block-sparse'] as const;
        for (let t = 0; t < types.length; t++) {
          throwIfAborted(ctx.signal);
          const type = types[t];
          yield {
            type: 'progress',
            fraction: (config.patterns.length + t) / total,
            message: `${type} budget ladder`,
          };
          const ladder = budgetLadder(type, n);
          for (let r = 0; r < ladder.length; r++) {
            const pattern = ladder[r];
            const ix = buildIndex(q, k, pattern);
            try {
              const qual = await indexQuality(q, k, ix, lse);
              evals.push({ pattern, ...qual });
              if (!config.curves) continue;
              const out = sparseAttention(q, k, v, ix);
              const err = relError(await out.read(), denseOut);
              out.dispose();
              const budget =
                pattern.type === 'a-shape'
                  ? pattern.local
                  : pattern.type === 'vertical-slash'
                    ? pattern.vertical
                    : pattern.topk;
              const series = `curve/${type}`;
              yield { type: 'metric', series: `${series}/budget`, step: r, value: budget };
              yield { type: 'metric', series: `${series}/density`, step: r, value: sig(mean(qual.density)) };
              yield { type: 'metric', series: `${series}/recall`, step: r, value: sig(mean(qual.recall)) };
              yield { type: 'metric', series: `${series}/error`, step: r, value: sig(err) };
              const head0 = (await ix.read())[0];
              yield {
                type: 'artifact',
                name: `curveMask/${type}/${r}`,
                data: maskArtifact(head0, n, rows, `${patternLabel(pattern)} (head 0)`),
              };
            } finally {
              ix.dispose();
            }
          }
        }
        if (config.maxDensity !== undefined)
          summary.search = choosePerHead(evals, heads, config.maxDensity).map((c) => ({
            head: c.head,
            label: c.pattern ? patternLabel(c.pattern) : null,
            type: c.pattern?.type ?? null,
            recall: sig(c.recall),
            density: sig(c.density),
          }));
      }
    } finally {
      ref.dispose();
    }
    yield { type: 'progress', fraction: 1, message: 'done' };
    return summary;
  },
});
