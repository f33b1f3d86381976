/**
 * Sparse plus low-rank family (SLTrain, arXiv 2406.02214): W ≈ B·A + S with B [out, r], A [r, in]
 * and S sparse on a fixed support of ⌊density · out · in⌋ entries (at least 1), kept as CSR.
 * apply computes H = X·Aᵀ (a thin GEMM, src/tensor/ops.ts) and then X·Sᵀ + H·Bᵀ in one pass
 * (spmmLowRank in shaders/sparse.wgsl) and never forms W; A, B and the values of S are trainable, the support is not.
 * SLTrain's scale α/r is folded into B here (W = B·A + S exactly).
 *
 * Projection (documented alternating minimisation, in float64 on the CPU):
 *   0. L₀ = best rank-r approximation of W (truncated SVD), S* = the k largest |W| entries.
 *      Start from whichever of the two alone is closer to W:
 *        low-rank start:  S = top-k(W − L₀)
 *        sparse start:    L = svd_r(W − S*),  S = top-k(W − L)
 *   1. then, for the remaining rounds: L = svd_r(W − S);  S = top-k(W − L).
 * svd_r is the exact f64 Jacobi SVD up to min(out, in) = 256 and the seeded randomized SVD of
 * src/linalg/rsvd.ts above.
 * Each half-step is the exact minimiser over its block with the other fixed (Eckart–Young for L,
 * keeping the largest entries for S), so ‖W − L − S‖_F never increases (with the exact SVD; the
 * randomized SVD used for big matrices is near-optimal, and the best round is kept anyway), and
 * the result is never worse than low-rank alone at rank r or sparse alone at the same density.
 * `history` holds the relative error ‖W − L − S‖_F / ‖W‖_F after every round.
 *
 * params counts stored 32-bit words (see sparse.ts): r·(out + in) for the factors plus the CSR
 * of S (values, column indices, row offsets).
 */

import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { frobenius, splitFactors } from '../linalg/factors';
import { svdJacobi } from '../linalg/jacobi';
import { AUTO_EXACT_MAX, truncatedSvd } from '../linalg/rsvd';
import { SparsePattern, sparsePlusLowRankApply } from '../ops/sparse-apply';
import { add, matmul } from '../tensor/ops';
import type { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { checkInput } from './common';
import type { FamilyDef } from './registry';
import { SparseMatrix, sampleWithoutReplacement, topKFlat } from './sparse';
import { type SparseLowRankSpec, slNnz, sparseLowRankMeta } from './sparse-lowrank.spec';
import type { StructuredMatrix } from './types';

type Spec = SparseLowRankSpec;

export class SparseLowRankMatrix implements StructuredMatrix {
  readonly kind = 'sparse+lowrank';
  readonly rows: number;
  readonly cols: number;
  readonly rank: number;
  /** Relative error after each projection round (empty for random members). */
  history: number[] = [];

  constructor(
    /** [rows, rank] */
    public B: Tensor,
    /** [rank, cols] */
    public A: Tensor,
    public S: SparseMatrix,
  ) {
    if (B.rank !== 2 || A.rank !== 2 || B.shape[1] !== A.shape[0])
      throw new ShapeError(`sparse+lowrank: B [${B.shape}] · A [${A.shape}] is not a product`);
    if (B.shape[0] !== S.rows || A.shape[1] !== S.cols)
      throw new ShapeError(`sparse+lowrank: B·A is ${B.shape[0]}×${A.shape[1]}, S is ${S.rows}×${S.cols}`);
    this.rows = S.rows;
    this.cols = S.cols;
    this.rank = A.shape[0];
    A.trainable();
    B.trainable();
  }

  get params(): number {
    return this.rank * (this.rows + this.cols) + this.S.params;
  }

  flops(batch: number): number {
    return 2 * batch * (this.rank * (this.rows + this.cols) + this.S.nnz);
  }

  apply(x: Tensor): Tensor {
    checkInput(x, this.cols, 'sparse+lowrank');
    // Two dispatches: H = X·Aᵀ (thin GEMM), then Y = X·Sᵀ + H·Bᵀ in one sparse pass.
    const h = matmul(x, this.A, { transB: true });
    const y = sparsePlusLowRankApply(this.S.pattern, this.S.values, x, h, this.B);
    if (!y.backwardFn) h.dispose();
    return y;
  }

  toDense(): Tensor {
    const l = matmul(this.B, this.A);
    const s = this.S.toDense();
    const w = add(l, s);
    if (!w.backwardFn) {
      l.dispose();
      s.dispose();
    }
    return w;
  }

  parameters(): Tensor[] {
    return [this.A, this.B, this.S.values];
  }

  dispose(): void {
    this.A.dispose();
    this.B.dispose();
    this.S.dispose();
  }
}

/**
 * Best rank-r factors of the float64 m × n matrix a, √σ split to both sides: B = U·√Σ (m × r),
 * A = √Σ·Vᵀ (r × n). Exact (f64 Jacobi on the CPU) when min(m, n) ≤ AUTO_EXACT_MAX; otherwise the
 * seeded randomized SVD of src/linalg/rsvd.ts on the GPU (f32), read back.
 */
export async function lowRankFactors(
  a: Float64Array,
  m: number,
  n: number,
  r: number,
  rng: Rng | undefined,
  gpu: Gpu | undefined,
): Promise<{ B: Float64Array; A: Float64Array }> {
  let U: Float64Array;
  let V: Float64Array;
  let S: Float64Array;
  let k: number;
  if (Math.min(m, n) <= AUTO_EXACT_MAX || !gpu) {
    const d = svdJacobi(a, m, n);
    ({ U, V, S, k } = d);
  } else {
    if (!rng) throw new Error('sparse+lowrank projection of a large matrix needs opts.rng (randomized SVD)');
    const W = Tensor.fromArray(gpu, Float32Array.from(a), [m, n]);
    try {
      const d = await truncatedSvd(W, r, { method: 'randomized', rng });
      U = Float64Array.from(await d.U.read());
      V = Float64Array.from(await d.V.read());
      d.U.dispose();
      d.V.dispose();
      S = d.S;
      k = r;
    } finally {
      W.dispose();
    }
  }
  return splitFactors(U, S, V, m, n, k, r);
}

/** W − B·A (B m × r, A r × n). */
function minusLowRank(w: Float64Array, B: Float64Array, A: Float64Array, m: number, n: number, r: number) {
  const out = Float64Array.from(w);
  for (let i = 0; i < m; i++)
    for (let t = 0; t < r; t++) {
      const b = B[i * r + t];
      if (b !== 0) for (let j = 0; j < n; j++) out[i * n + j] -= b * A[t * n + j];
    }
  return out;
}

/** W with the support entries zeroed: W − S where S = W on `flat`. */
function minusOnSupport(w: Float64Array, flat: Uint32Array): Float64Array {
  const out = Float64Array.from(w);
  for (const f of flat) out[f] = 0;
  return out;
}

export interface SlProjection {
  B: Float64Array;
  A: Float64Array;
  /** Sorted flat indices of S and its values. */
  flat: Uint32Array;
  vals: Float64Array;
  history: number[];
}

/** The alternating projection on a float64 row-major m × n matrix (see the file comment). */
export async function projectSparseLowRank(
  w: Float64Array,
  m: number,
  n: number,
  spec: Spec,
  rng: Rng | undefined,
  gpu?: Gpu,
): Promise<SlProjection> {
  sparseLowRankMeta.validate(spec, m, n);
  const r = spec.rank;
  const k = slNnz(spec.density, m, n);
  const norm = frobenius(w) || 1;
  const svdOf = (a: Float64Array) => lowRankFactors(a, m, n, r, rng, gpu);
  const history: number[] = [];
  let best: SlProjection | null = null;
  /** S-step given L: S = top-k of R = W − L; records the round. */
  const sStep = (B: Float64Array, A: Float64Array) => {
    const resid = minusLowRank(w, B, A, m, n, r);
    const flat = topKFlat(resid, k);
    const vals = Float64Array.from(flat, (f) => resid[f]);
    const err = frobenius(minusOnSupport(resid, flat)) / norm;
    history.push(err);
    if (!best || err < best.history[best.history.length - 1])
      best = { B, A, flat, vals, history: [...history] };
    return { flat, vals };
  };
  // Round 1: the better of the two single-structure starts.
  const L0 = await svdOf(w);
  const errLow = frobenius(minusLowRank(w, L0.B, L0.A, m, n, r));
  const sStar = topKFlat(w, k);
  const errSparse = frobenius(minusOnSupport(w, sStar));
  let S: { flat: Uint32Array; vals: Float64Array };
  if (errLow <= errSparse) S = sStep(L0.B, L0.A);
  else {
    const wMinusS = w.slice();
    for (const f of sStar) wMinusS[f] = 0;
    const L = await svdOf(wMinusS);
    S = sStep(L.B, L.A);
  }
  for (let round = 1; round < spec.rounds; round++) {
    const wMinusS = w.slice();
    for (let j = 0; j < S.flat.length; j++) wMinusS[S.flat[j]] -= S.vals[j];
    const L = await svdOf(wMinusS);
    S = sStep(L.B, L.A);
    const h = history.length;
    // Converged: no relative progress left to make.
    if (h >= 2 && history[h - 2] - history[h - 1] <= 1e-12 * Math.max(history[h - 2], 1e-300)) break;
  }
  const out = best as unknown as SlProjection;
  out.history = history;
  return out;
}

export const sparseLowRankFamily: FamilyDef<'sparse+lowrank'> = {
  ...sparseLowRankMeta,
  async project(W, spec, opts = {}) {
    if (W.rank !== 2)
      throw new ShapeError(`sparse+lowrank.project needs a 2-D W, got [${W.shape.join(', ')}]`);
    const [m, n] = W.shape;
    sparseLowRankMeta.validate(spec, m, n);
    const w = Float64Array.from(await W.read());
    const p = await projectSparseLowRank(w, m, n, spec, opts.rng, W.gpu);
    const gpu = W.gpu;
    const S = new SparseMatrix(SparsePattern.fromFlat(gpu, m, n, p.flat), p.vals);
    const out = new SparseLowRankMatrix(
      Tensor.fromArray(gpu, Float32Array.from(p.B), [m, spec.rank]),
      Tensor.fromArray(gpu, Float32Array.from(p.A), [spec.rank, n]),
      S,
    );
    out.history = p.history;
    return out;
  },
  random(gpu, rows, cols, spec, { rng }) {
    sparseLowRankMeta.validate(spec, rows, cols);
    // SLTrain's init: A Kaiming-uniform (bound 1/√in), B = 0, S ~ U(±1/√in) on a random support.
    const bound = 1 / Math.sqrt(cols);
    const nnz = slNnz(spec.density, rows, cols);
    const flat = sampleWithoutReplacement(rows * cols, nnz, rng);
    const S = new SparseMatrix(
      SparsePattern.fromFlat(gpu, rows, cols, flat),
      rng.uniforms(nnz, -bound, bound),
    );
    const A = Tensor.fromArray(gpu, rng.uniforms(spec.rank * cols, -bound, bound), [spec.rank, cols]);
    const B = Tensor.zeros(gpu, [rows, spec.rank]);
    return new SparseLowRankMatrix(B, A, S);
  },
};
