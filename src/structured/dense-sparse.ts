/**
 * Dense × sparse family (`dense-sparse`, DSFormer, arXiv 2312.13211): W ≈ D·S with D (out × k)
 * dense and S (k × in) N:M semi-structured sparse. DSFormer has no public code; this is **our
 * reading** (ALGORITHMS.md §3), and the UI says so:
 * - S is kept as a dense latent S̃; the forward uses S = the N:M projection of S̃ (per group of m
 *   consecutive inputs of each row of S̃ the n largest |s̃|; shaders/dense-sparse.wgsl), and the
 *   backward passes dL/dS straight through to S̃ (a straight-through mask), so supports can move
 *   while training.
 * - project(W): truncated SVD W ≈ U_k·Σ_k·V_kᵀ, D = U_k·Σ_k^½, S̃ = Σ_k^½·V_kᵀ, then `rounds` of
 *   alternating least squares in f64: S̃ = (DᵀD)⁻¹·Dᵀ·W, projected to N:M; D = W·Sᵀ·(S·Sᵀ)⁻¹.
 * apply(X) = (X·Sᵀ)·Dᵀ with two GEMMs (the masked S is formed densely on the GPU: the kernels do not
 * exploit the sparsity of S, flops counts what runs). params: D, plus S stored as N:M (kept values
 * and packed indices, as the nm-sparse family counts them).
 */
import dsSrc from '../../shaders/dense-sparse.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { splitFactors } from '../linalg/factors';
import { truncatedSvd } from '../linalg/rsvd';
import { record } from '../tensor/autograd';
import { matmul } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { denseSparseDims, denseSparseMeta, denseSparseParams } from './dense-sparse.spec';
import { nmOffsets } from './nm-sparse';
import type { FamilyDef } from './registry';
import type { StructuredMatrix } from './types';

export const dsMaskKernel: Kernel = { name: 'dense-sparse', code: dsSrc, entry: 'mask' };

export function denseSparseKernels(): Kernel[] {
  return [dsMaskKernel];
}

/** S = N:M mask of S̃ on the GPU; the backward passes the gradient straight through to S̃. */
export function nmMaskST(sLatent: Tensor, n: number, m: number): Tensor {
  const [k, inp] = sLatent.shape;
  const out = Tensor.empty(sLatent.gpu, [k, inp], 'An N:M-masked factor');
  const groups = (k * inp) / m;
  sLatent.gpu.dispatch(
    dsMaskKernel,
    { s: sLatent.buffer, out: out.buffer },
    { groups, n, m },
    sLatent.gpu.grid1d(Math.ceil(groups / 256)),
  );
  return record(out, [sLatent], (g) => [g]);
}

export class DenseSparseMatrix implements StructuredMatrix {
  readonly kind = 'dense-sparse';
  readonly rows: number;
  readonly cols: number;

  constructor(
    readonly gpu: Tensor['gpu'],
    /** D, out × k (trainable). */
    readonly D: Tensor,
    /** S̃, the dense latent k × in (trainable; the forward masks it to N:M). */
    readonly S: Tensor,
    readonly n: number,
    readonly m: number,
  ) {
    if (D.rank !== 2 || S.rank !== 2 || D.shape[1] !== S.shape[0])
      throw new ShapeError(`DenseSparseMatrix: D [${D.shape}] and S [${S.shape}] do not chain`);
    this.rows = D.shape[0];
    this.cols = S.shape[1];
    denseSparseDims(n, m, this.cols, D.shape[1], this.rows);
    D.trainable();
    S.trainable();
  }

  get k(): number {
    return this.D.shape[1];
  }

  get params(): number {
    return denseSparseParams(this.rows, this.cols, this.k, this.n, this.m);
  }

  flops(batch: number): number {
    return 2 * batch * this.k * (this.cols + this.rows);
  }

  /** The N:M-masked S (differentiable, straight through to S̃). */
  sparseFactor(): Tensor {
    return nmMaskST(this.S, this.n, this.m);
  }

  apply(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.cols)
      throw new ShapeError(
        `dense-sparse apply: X must be [batch, ${this.cols}], got [${x.shape.join(', ')}]`,
      );
    const s = this.sparseFactor();
    const h = matmul(x, s, { transB: true });
    const y = matmul(h, this.D, { transB: true });
    // h and s stay referenced by the graph when gradients are on; without a graph they can go.
    if (!y.backwardFn) {
      h.dispose();
      s.dispose();
    }
    return y;
  }

  toDense(): Tensor {
    const s = this.sparseFactor();
    const w = matmul(this.D, s);
    if (!w.backwardFn) s.dispose();
    return w;
  }

  parameters(): Tensor[] {
    return [this.D, this.S];
  }

  dispose(): void {
    this.D.dispose();
    this.S.dispose();
  }
}

// ------------------------------------------------------------------ projection (f64, CPU)

function mmT(
  a: Float64Array,
  ar: number,
  ac: number,
  b: Float64Array,
  br: number,
  transA: boolean,
  transB: boolean,
) {
  // op(A)·op(B) for row-major A (ar × ac), B (br × bc), small dense helper.
  const bc = b.length / br;
  const M = transA ? ac : ar;
  const K = transA ? ar : ac;
  const N = transB ? br : bc;
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let t = 0; t < K; t++) {
      const av = transA ? a[t * ac + i] : a[i * ac + t];
      if (av === 0) continue;
      for (let j = 0; j < N; j++) out[i * N + j] += av * (transB ? b[j * bc + t] : b[t * bc + j]);
    }
  return out;
}

/** X = G⁻¹·B for a symmetric positive (semi)definite k × k G (ridge 1e-12·trace for safety). */
function solveSpd(g: Float64Array, k: number, b: Float64Array): Float64Array {
  const p = b.length / k;
  let tr = 0;
  for (let i = 0; i < k; i++) tr += g[i * k + i];
  const a = g.slice();
  for (let i = 0; i < k; i++) a[i * k + i] += 1e-12 * (tr || 1);
  const L = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j];
      for (let t = 0; t < j; t++) s -= L[i * k + t] * L[j * k + t];
      L[i * k + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j * k + j];
    }
  const x = b.slice();
  for (let c = 0; c < p; c++) {
    for (let i = 0; i < k; i++) {
      let s = x[i * p + c];
      for (let t = 0; t < i; t++) s -= L[i * k + t] * x[t * p + c];
      x[i * p + c] = s / L[i * k + i];
    }
    for (let i = k - 1; i >= 0; i--) {
      let s = x[i * p + c];
      for (let t = i + 1; t < k; t++) s -= L[t * k + i] * x[t * p + c];
      x[i * p + c] = s / L[i * k + i];
    }
  }
  return x;
}

/** S̃ restricted to its N:M support (zeros elsewhere). */
function maskNM(s: Float64Array, k: number, cols: number, n: number, m: number): Float64Array {
  if (n === m) return s;
  const offs = nmOffsets(s, k, cols, n, m);
  const out = new Float64Array(s.length);
  const groups = cols / m;
  for (let e = 0; e < offs.length; e++) {
    const rg = Math.floor(e / n);
    const at = Math.floor(rg / groups) * cols + (rg % groups) * m + offs[e];
    out[at] = s[at];
  }
  return out;
}

export const denseSparseFamily: FamilyDef<'dense-sparse'> = {
  ...denseSparseMeta,
  async project(W, spec, opts = {}) {
    if (W.rank !== 2)
      throw new ShapeError(`dense-sparse projection: W must be 2-D, got [${W.shape.join(', ')}]`);
    const [rows, cols] = W.shape;
    const k = spec.rank;
    denseSparseMeta.validate(spec, rows, cols);
    const svd = await truncatedSvd(W, k, { rng: opts.rng ?? new Rng(0) });
    const U = Float64Array.from(await svd.U.read());
    const V = Float64Array.from(await svd.V.read());
    svd.U.dispose();
    svd.V.dispose();
    const w = Float64Array.from(await W.read());
    const split = splitFactors(U, svd.S, V, rows, cols, k, k);
    let d: Float64Array = split.B;
    let s: Float64Array = split.A;
    if (spec.n < spec.m) {
      for (let round = 0; round < spec.rounds; round++) {
        // S̃ = (DᵀD)⁻¹DᵀW, then its N:M support; D = W·Sᵀ·(S·Sᵀ)⁻¹.
        s = solveSpd(mmT(d, rows, k, d, rows, true, false), k, mmT(d, rows, k, w, rows, true, false));
        const sm = maskNM(s, k, cols, spec.n, spec.m);
        const ws = mmT(w, rows, cols, sm, k, false, true); // rows × k
        const ss = mmT(sm, k, cols, sm, k, false, true); // k × k
        // D = (W·Sᵀ)·(S·Sᵀ)⁻¹ = ((S·Sᵀ)⁻¹·(W·Sᵀ)ᵀ)ᵀ
        d = transpose(solveSpd(ss, k, transpose(ws, rows, k)), k, rows);
      }
    }
    return new DenseSparseMatrix(
      W.gpu,
      Tensor.fromArray(W.gpu, Float32Array.from(d), [rows, k]),
      Tensor.fromArray(W.gpu, Float32Array.from(s), [k, cols]),
      spec.n,
      spec.m,
    );
  },
  random(gpu, rows, cols, spec, { rng }) {
    denseSparseMeta.validate(spec, rows, cols);
    const k = spec.rank;
    return new DenseSparseMatrix(
      gpu,
      Tensor.fromArray(gpu, rng.normals(rows * k, 1 / Math.sqrt(k)), [rows, k]),
      Tensor.fromArray(gpu, rng.normals(k * cols, Math.sqrt(spec.m / (spec.n * cols))), [k, cols]),
      spec.n,
      spec.m,
    );
  },
};

function transpose(a: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}
