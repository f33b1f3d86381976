/**
 * Fast live recompute for the playground's approximation sliders (no React, no UI types).
 *
 * Per matrix (source + seed) it keeps W as float64 on the CPU, W on the GPU, and W's full SVD
 * (src/linalg svdJacobi), so a low-rank member at any rank is U_r Σ_r V_rᵀ without a new SVD.
 * Other families re-project W on the GPU (cheap at ≤ 256 × 256); every projection is cached per
 * spec, so moving one slider recomputes one method. Returns plain arrays only.
 */
import { loadMatrix } from '../data/sources';
import { checkSpec } from '../experiments/approximation.schema';
import { difference, downsample, frobenius } from '../experiments/measure';
import type { Gpu } from '../gpu/device';
import { type SvdResult, svdJacobi } from '../linalg/jacobi';
import { familyOf } from '../structured/registry';
import { FamilySpec, specLabel } from '../structured/specs';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import {
  LIVE_MAX_SIDE,
  type LiveHeatmap,
  type LiveMethod,
  type LiveRequest,
  type LiveResult,
} from './live-protocol';

export { LIVE_MAX_SIDE, type LiveHeatmap, type LiveMethod, type LiveRequest, type LiveResult };

interface MatrixEntry {
  key: string;
  rows: number;
  cols: number;
  name: string;
  w: Float64Array;
  fro: number;
  svd: SvdResult;
  W: Tensor | null;
  projections: Map<string, { params: number; dense: Float64Array; label: string }>;
}

function heat(a: ArrayLike<number>, rows: number, cols: number, side: number): LiveHeatmap {
  const d = downsample(a, rows, cols, side);
  return { rows: d.rows, cols: d.cols, values: d.values };
}

/** U_r Σ_r V_rᵀ from a full SVD (row-major rows × cols). */
export function rankR(svd: SvdResult, rows: number, cols: number, r: number): Float64Array {
  const out = new Float64Array(rows * cols);
  const k = svd.k;
  const rr = Math.min(r, k);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let t = 0; t < rr; t++) {
      const u = svd.U[i * k + t] * svd.S[t];
      if (u === 0) continue;
      for (let j = 0; j < cols; j++) out[o + j] += u * svd.V[j * k + t];
    }
  }
  return out;
}

export interface LiveEngine {
  compute(req: LiveRequest): Promise<LiveResult>;
  /** Forget cached matrices (GPU buffers freed); call after device loss. */
  reset(): void;
}

export function createLiveEngine(getGpu: () => Promise<Gpu>): LiveEngine {
  let entry: MatrixEntry | null = null;

  function dispose() {
    if (entry?.W && !entry.W.gpu.lost) entry.W.dispose();
    entry = null;
  }

  async function matrixFor(req: LiveRequest): Promise<MatrixEntry> {
    const key = JSON.stringify([req.matrix, req.seed, req.bytes?.length ?? 0]);
    if (entry && entry.key === key) return entry;
    dispose();
    const m = await loadMatrix(req.matrix, { rng: new Rng(req.seed * 2 + 1), bytes: req.bytes });
    if (m.rows > LIVE_MAX_SIDE || m.cols > LIVE_MAX_SIDE)
      throw new Error(
        `live recompute handles up to ${LIVE_MAX_SIDE} × ${LIVE_MAX_SIDE}; this matrix is ${m.rows} × ${m.cols} (press Run instead)`,
      );
    const fro = frobenius(m.data);
    if (!(fro > 0)) throw new Error(`${m.name} is all zeros: relative errors are undefined`);
    entry = {
      key,
      rows: m.rows,
      cols: m.cols,
      name: m.name,
      w: m.data,
      fro,
      svd: svdJacobi(m.data, m.rows, m.cols),
      W: null,
      projections: new Map(),
    };
    return entry;
  }

  async function project(e: MatrixEntry, spec: FamilySpec, seed: number) {
    const key = JSON.stringify(spec);
    const hit = e.projections.get(key);
    if (hit) return hit;
    const label = specLabel(spec);
    let out: { params: number; dense: Float64Array; label: string };
    if (spec.family === 'lowrank') {
      const r = spec.rank;
      out = { params: r * (e.rows + e.cols), dense: rankR(e.svd, e.rows, e.cols, r), label };
    } else {
      const gpu = await getGpu();
      if (!e.W || e.W.gpu !== gpu) e.W = Tensor.fromArray(gpu, Float32Array.from(e.w), [e.rows, e.cols]);
      const M = await familyOf(spec).project(e.W, spec, { rng: new Rng(seed) });
      try {
        const D = tidy(() => M.toDense());
        const dense = Float64Array.from(await D.read());
        D.dispose();
        out = { params: M.params, dense, label };
      } finally {
        M.dispose();
      }
    }
    e.projections.set(key, out);
    return out;
  }

  return {
    async compute(req) {
      const t0 = performance.now();
      const e = await matrixFor(req);
      const side = req.heatmapSide ?? 32;
      const methods: LiveMethod[] = [];
      let focusDense: Float64Array | null = null;
      for (let i = 0; i < req.methods.length; i++) {
        const raw = req.methods[i];
        try {
          const parsed = FamilySpec.safeParse(raw);
          if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid spec');
          const spec = parsed.data;
          checkSpec(spec, e.rows, e.cols, `methods[${i}]`);
          const p = await project(e, spec, req.seed);
          const err = frobenius(difference(e.w, p.dense)) / e.fro;
          methods.push({ label: p.label, family: spec.family, params: p.params, relFrobError: err });
          if (i === req.focus) focusDense = p.dense;
        } catch (err) {
          methods.push({
            label: raw.family,
            family: raw.family,
            params: Number.NaN,
            relFrobError: Number.NaN,
            error: (err as Error).message,
          });
        }
      }
      const heatmaps = focusDense
        ? {
            W: heat(e.w, e.rows, e.cols, side),
            approx: heat(focusDense, e.rows, e.cols, side),
            diff: heat(difference(e.w, focusDense).map(Math.abs), e.rows, e.cols, side),
          }
        : null;
      return {
        rows: e.rows,
        cols: e.cols,
        name: e.name,
        spectrum: Array.from(e.svd.S),
        methods,
        heatmaps,
        ms: performance.now() - t0,
      };
    },
    reset() {
      entry = null;
    },
  };
}
