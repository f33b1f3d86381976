/**
 * The live recompute contract shared by the worker (src/runtime/live.ts) and the page: the size
 * limit and the request/result messages. GPU-free, so the main-thread bundle may import it.
 */
import type { MatrixSourceInput } from '../data/sources.schema';
import type { AttentionInput } from '../experiments/sparse-attention.schema';

/** Largest side the live path accepts (one Jacobi SVD per matrix must stay interactive). */
export const LIVE_MAX_SIDE = 256;

export interface LiveRequest {
  matrix: MatrixSourceInput;
  seed: number;
  /** Family specs ({family, rank | blocks | density, …}). */
  methods: Array<{ family: string } & Record<string, unknown>>;
  /** Index into methods whose W / Ŵ / |W − Ŵ| heatmaps to return. */
  focus: number;
  /** Side of the returned heatmaps (block means), default 32. */
  heatmapSide?: number;
  bytes?: Uint8Array;
}

export interface LiveMethod {
  label: string;
  family: string;
  params: number;
  relFrobError: number;
  /** Problem with this method's spec for this matrix (then the figures are NaN). */
  error?: string;
}

export interface LiveHeatmap {
  rows: number;
  cols: number;
  values: number[];
}

export interface LiveResult {
  rows: number;
  cols: number;
  name: string;
  /** Singular values of W, descending. */
  spectrum: number[];
  methods: LiveMethod[];
  heatmaps: { W: LiveHeatmap; approx: LiveHeatmap; diff: LiveHeatmap } | null;
  /** Milliseconds spent in the engine for this request. */
  ms: number;
}

/**
 * Live attention (the sparse-attention view's budget sliders, src/runtime/live-attention.ts): the
 * run's input spec, one sparse pattern with its budget(s), and the head whose mask to return.
 */
export interface AttentionLiveRequest {
  input: AttentionInput;
  heads: number;
  n: number;
  d: number;
  seed: number;
  /** Head whose mask comes back (the map shows head 0). */
  head: number;
  pattern:
    | { type: 'a-shape'; init: number; local: number }
    | { type: 'vertical-slash'; vertical: number; slash: number }
    | { type: 'block-sparse'; topk: number };
}

export interface AttentionLiveResult {
  label: string;
  type: AttentionLiveRequest['pattern']['type'];
  /** Head means, as the run's summary.patterns[i] reports them. */
  recall: number;
  density: number;
  /** ‖O_sparse − O_dense‖_F / ‖O_dense‖_F over all heads. */
  relOutputError: number;
  headRecall: number[];
  headDensity: number[];
  /** Head `head`'s mask as block means (the run's mask artifact layout). */
  mask: LiveHeatmap & { sourceRows?: number; sourceCols?: number };
  /** Milliseconds spent in the engine for this request (wall clock, inputs cached). */
  ms: number;
}
