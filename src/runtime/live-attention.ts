/**
 * Live recompute for the sparse-attention view's budget sliders (no React, no UI types).
 *
 * Per input spec (input, heads, n, d, seed) it builds Q, K, V once as the run does
 * (denseReference), uploads them and runs the fused dense attention once (its output and row
 * log-sum-exps are the reference); a new spec disposes them first. Each request then builds the
 * pattern's index on the GPU and measures it with the run's own measureIndex (recall, density,
 * relative output error) and maskArtifact. Returns plain arrays only.
 */
import { buildIndex, patternLabel } from '../attention/patterns';
import {
  denseReference,
  maskArtifact,
  mean,
  measureIndex,
  sampledRows,
} from '../experiments/sparse-attention';
import { SparseAttentionConfig } from '../experiments/sparse-attention.schema';
import type { Gpu } from '../gpu/device';
import type { Tensor } from '../tensor/tensor';
import type { AttentionLiveRequest, AttentionLiveResult } from './live-protocol';

export type { AttentionLiveRequest, AttentionLiveResult };

interface Inputs {
  key: string;
  gpu: Gpu;
  q: Tensor;
  k: Tensor;
  v: Tensor;
  lse: Tensor;
  denseOut: Float32Array;
  rows: number[];
}

export interface AttentionLiveEngine {
  compute(req: AttentionLiveRequest): Promise<AttentionLiveResult>;
  /** Free the cached inputs (GPU buffers); call after device loss or when done. */
  reset(): void;
}

export function createAttentionLiveEngine(getGpu: () => Promise<Gpu>): AttentionLiveEngine {
  let cached: Inputs | null = null;

  function dispose() {
    if (cached && !cached.gpu.lost) for (const t of [cached.q, cached.k, cached.v, cached.lse]) t.dispose();
    cached = null;
  }

  async function inputsFor(req: AttentionLiveRequest, gpu: Gpu): Promise<Inputs> {
    const key = JSON.stringify([req.input, req.heads, req.n, req.d, req.seed]);
    if (cached && cached.key === key && cached.gpu === gpu) return cached;
    dispose();
    const { q, k, v, lse, denseOut } = await denseReference(
      gpu,
      req.input,
      req.heads,
      req.n,
      req.d,
      req.seed,
    );
    cached = { key, gpu, q, k, v, lse, denseOut, rows: sampledRows(req.n) };
    return cached;
  }

  return {
    async compute(req) {
      const t0 = performance.now();
      // The run's own validation: bad shapes or budgets → the same field-named errors.
      const parsed = SparseAttentionConfig.safeParse({
        schema: 'smx/experiment@1',
        kind: 'sparse-attention',
        seed: req.seed,
        input: req.input,
        heads: req.heads,
        n: req.n,
        d: req.d,
        patterns: [req.pattern],
      });
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new Error(`live attention: ${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid request'}`);
      }
      if (!Number.isInteger(req.head) || req.head < 0 || req.head >= req.heads)
        throw new Error(`live attention: head ${req.head} is not one of the ${req.heads} heads`);
      const pattern = parsed.data.patterns[0];
      if (pattern.type === 'dense') throw new Error('live attention: pattern must be sparse');
      const gpu = await getGpu();
      const e = await inputsFor(req, gpu);
      const ix = buildIndex(e.q, e.k, pattern);
      try {
        const m = await measureIndex(e.q, e.k, e.v, ix, e.lse, e.denseOut);
        const label = patternLabel(pattern);
        const mask = maskArtifact((await ix.read())[req.head], req.n, e.rows, `${label} (head ${req.head})`);
        return {
          label,
          type: pattern.type,
          recall: mean(m.recall),
          density: mean(m.density),
          relOutputError: m.relOutputError,
          headRecall: m.recall,
          headDensity: m.density,
          mask: {
            rows: mask.rows,
            cols: mask.cols,
            values: mask.values,
            ...(mask.sourceRows ? { sourceRows: mask.sourceRows, sourceCols: mask.sourceCols } : {}),
          },
          ms: performance.now() - t0,
        };
      } finally {
        ix.dispose();
      }
    },
    reset() {
      if (cached?.gpu.lost) cached = null;
      else dispose();
    },
  };
}
