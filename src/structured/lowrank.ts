/**
 * Low-rank family: W ≈ B·A with B (out × r) and A (r × in), the LoRA / PEFT layout.
 *
 * apply(X) = (X·Aᵀ)·Bᵀ: two thin GEMMs through ops.matmul (the dense WGSL GEMM, which takes any
 * shape and transposes through override constants), so W is never formed and autograd comes from
 * matmul's own backward. 2·batch·r·(in + out) flops instead of 2·batch·in·out.
 *
 * project(W, {rank}) is the Eckart–Young optimum: the top-r singular triplets of W, with √σ split to
 * both sides (B = U_r·√Σ_r, A = √Σ_r·V_rᵀ), so BᵀB = A·Aᵀ = Σ_r. method 'exact' runs the float64
 * one-sided Jacobi SVD on the CPU (src/linalg/jacobi.ts); 'randomized' the seeded
 * Halko–Martinsson–Tropp sketch (src/linalg/rsvd.ts); 'auto' picks exact for small matrices.
 *
 * The helpers below (topSingular, factorsFromSvd) are shared with orthoproj.ts and fwsvd.ts.
 * Parameters are not marked trainable here: an optimiser calls .trainable() on parameters().
 * Like every composite op, apply() run with gradients keeps its intermediate X·Aᵀ alive for the
 * backward pass: run it inside tidy().
 */
import { ShapeError } from '../gpu/errors';
import { svdJacobi } from '../linalg/jacobi';
import { matmul } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { registerFamily } from './registry';
import type { SpecOf } from './specs';
import { type ProjectOptions, SpecError, type StructuredMatrix } from './types';

type LowRankSpec = SpecOf<'lowrank'>;
export type SvdMethod = LowRankSpec['method'];

/** Top-r singular triplets in float64: U (m × r), S (r, descending), V (n × r), all row-major. */
export interface TopSvd {
  U: Float64Array;
  S: Float64Array;
  V: Float64Array;
  rank: number;
}

export interface TopSvdOptions {
  method?: SvdMethod;
  oversample?: number;
  niter?: number;
  rng?: Rng;
}

/** 'auto' uses the exact Jacobi SVD up to this m·n·min(m, n) (≈ a 256 × 256 matrix, < 1 s in JS). */
export const EXACT_SVD_WORK = 256 ** 3;

export function resolveMethod(method: SvdMethod | undefined, m: number, n: number): 'exact' | 'randomized' {
  if (method === 'exact' || method === 'randomized') return method;
  return m * n * Math.min(m, n) <= EXACT_SVD_WORK ? 'exact' : 'randomized';
}

/**
 * The top-r singular triplets of the m × n float64 matrix w. Singular vectors come back with a
 * deterministic sign (src/linalg's rule), so the same input and seed give the same factors.
 */
export async function topSingular(
  w: Float64Array,
  m: number,
  n: number,
  r: number,
  opts: TopSvdOptions = {},
): Promise<TopSvd> {
  const method = resolveMethod(opts.method, m, n);
  if (method === 'randomized') return randomizedTop(w, m, n, r, opts);
  const d = svdJacobi(w, m, n);
  return { U: cols(d.U, m, d.k, r), S: d.S.slice(0, r), V: cols(d.V, n, d.k, r), rank: r };
}

function cols(x: Float64Array, rows: number, k: number, r: number): Float64Array {
  const out = new Float64Array(rows * r);
  for (let i = 0; i < rows; i++) for (let j = 0; j < r; j++) out[i * r + j] = x[i * k + j];
  return out;
}

/**
 * Randomized SVD (Halko, Martinsson, Tropp 2011, Alg. 4.4 + 5.1) in float64 on the CPU: Gaussian
 * Ω (n × (r+p)) from the seeded rng, Q = orth(W·Ω), niter power iterations
 * {Q = orth(Wᵀ·Q); Q = orth(W·Q)}, then the exact SVD of the small (r+p) × n matrix QᵀW.
 */
async function randomizedTop(w: Float64Array, m: number, n: number, r: number, opts: TopSvdOptions) {
  // Without an experiment rng the sketch is still reproducible: seed 0.
  const rng = opts.rng ?? new Rng(0);
  const l = Math.min(r + (opts.oversample ?? 10), m, n);
  const niter = opts.niter ?? 4;
  const omega = rng.normals(n * l);
  let q = orth(mulAB(w, omega, m, n, l), m, l);
  for (let it = 0; it < niter; it++) {
    const z = orth(mulAtB(w, q, m, n, l), n, l);
    q = orth(mulAB(w, z, m, n, l), m, l);
  }
  const small = mulAtB(q, w, m, l, n); // l × n = Qᵀ·W
  const d = svdJacobi(small, l, n);
  const Ur = mulAB(q, cols(d.U, l, d.k, r), m, l, r);
  return { U: Ur, S: d.S.slice(0, r), V: cols(d.V, n, d.k, r), rank: r };
}

/** (m × k)·(k × n). */
function mulAB(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p];
      if (v !== 0) for (let j = 0; j < n; j++) c[i * n + j] += v * b[p * n + j];
    }
  return c;
}

/** (m × k)ᵀ·(m × n) → k × n. */
function mulAtB(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(k * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p];
      if (v !== 0) for (let j = 0; j < n; j++) c[p * n + j] += v * b[i * n + j];
    }
  return c;
}

/** Orthonormalise the k columns of the m × k matrix (modified Gram–Schmidt, twice). */
function orth(a: Float64Array, m: number, k: number): Float64Array {
  for (let c = 0; c < k; c++)
    for (let pass = 0; pass < 2; pass++) {
      for (let d = 0; d < c; d++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += a[i * k + c] * a[i * k + d];
        for (let i = 0; i < m; i++) a[i * k + c] -= dot * a[i * k + d];
      }
      let nv = 0;
      for (let i = 0; i < m; i++) nv += a[i * k + c] ** 2;
      nv = Math.sqrt(nv);
      // A (numerically) dependent column: its direction is noise; zero it (rank-deficient sketch).
      const s = nv > 1e-300 ? 1 / nv : 0;
      for (let i = 0; i < m; i++) a[i * k + c] *= s;
    }
  return a;
}

/** B = U_r·√Σ_r (m × r), A = √Σ_r·V_rᵀ·diag(colScale) (r × n), as float32-ready arrays. */
export function factorsFromSvd(
  svd: TopSvd,
  m: number,
  n: number,
  colScale?: ArrayLike<number>,
): { B: Float64Array; A: Float64Array } {
  const r = svd.rank;
  const B = new Float64Array(m * r);
  const A = new Float64Array(r * n);
  for (let c = 0; c < r; c++) {
    const s = Math.sqrt(svd.S[c]);
    for (let i = 0; i < m; i++) B[i * r + c] = svd.U[i * r + c] * s;
    for (let j = 0; j < n; j++) A[c * n + j] = svd.V[j * r + c] * s * (colScale ? colScale[j] : 1);
  }
  return { B, A };
}

/** W read back to float64, checking it is a 2-D matrix. */
export async function readMatrix(
  W: Tensor,
  family: string,
): Promise<{ w: Float64Array; m: number; n: number }> {
  if (W.rank !== 2)
    throw new ShapeError(`${family}.project needs a 2-D matrix W, got [${W.shape.join(', ')}]`);
  return { w: Float64Array.from(await W.read()), m: W.shape[0], n: W.shape[1] };
}

export function checkInput(x: Tensor, cols: number, kind: string): void {
  if (x.rank !== 2 || x.shape[1] !== cols)
    throw new ShapeError(`${kind}.apply needs X of shape [batch, ${cols}], got [${x.shape.join(', ')}]`);
}

/** Y = (X·Aᵀ)·Bᵀ; the thin intermediate is freed at once when no gradient is being recorded. */
export function applyTwo(x: Tensor, first: Tensor, firstTransB: boolean, second: Tensor): Tensor {
  const h = matmul(x, first, { transB: firstTransB });
  const y = matmul(h, second, { transB: true });
  if (!y.backwardFn) h.dispose();
  return y;
}

export function checkRank(rank: unknown, rows: number, cols: number): void {
  if (!Number.isInteger(rank) || (rank as number) < 1)
    throw new SpecError('rank', `rank must be a positive integer, got ${String(rank)}`);
  if ((rank as number) > Math.min(rows, cols))
    throw new SpecError(
      'rank',
      `rank ${rank} is larger than min(out, in) = ${Math.min(rows, cols)} for a ${rows} × ${cols} matrix`,
    );
}

/** W ≈ B·A, B [out, r], A [r, in]. */
export class LowRankMatrix implements StructuredMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rank: number;

  constructor(
    readonly B: Tensor,
    readonly A: Tensor,
    readonly kind: string = 'lowrank',
  ) {
    if (B.rank !== 2 || A.rank !== 2 || B.shape[1] !== A.shape[0])
      throw new ShapeError(
        `${kind}: B [out, r] and A [r, in] do not fit: [${B.shape.join(', ')}] and [${A.shape.join(', ')}]`,
      );
    this.rows = B.shape[0];
    this.cols = A.shape[1];
    this.rank = A.shape[0];
  }

  get params(): number {
    return this.rank * (this.rows + this.cols);
  }

  flops(batch: number): number {
    return 2 * batch * this.rank * (this.rows + this.cols);
  }

  apply(x: Tensor): Tensor {
    checkInput(x, this.cols, this.kind);
    return applyTwo(x, this.A, true, this.B);
  }

  toDense(): Tensor {
    return matmul(this.B, this.A);
  }

  parameters(): Tensor[] {
    return [this.B, this.A];
  }

  dispose(): void {
    this.B.dispose();
    this.A.dispose();
  }
}

function validateLowRank(spec: LowRankSpec, rows: number, cols: number): void {
  checkRank(spec.rank, rows, cols);
  if (spec.method !== undefined && !['auto', 'exact', 'randomized'].includes(spec.method))
    throw new SpecError('method', `method must be 'auto', 'exact' or 'randomized', got '${spec.method}'`);
  if (spec.oversample !== undefined && !(Number.isInteger(spec.oversample) && spec.oversample >= 0))
    throw new SpecError('oversample', `oversample must be an integer ≥ 0, got ${spec.oversample}`);
  if (spec.niter !== undefined && !(Number.isInteger(spec.niter) && spec.niter >= 0))
    throw new SpecError('niter', `niter must be an integer ≥ 0, got ${spec.niter}`);
}

/** Project W [out, in] onto rank r (Eckart–Young). */
export async function projectLowRank(
  W: Tensor,
  spec: LowRankSpec,
  opts: ProjectOptions = {},
): Promise<LowRankMatrix> {
  const { w, m, n } = await readMatrix(W, 'lowrank');
  validateLowRank(spec, m, n);
  const svd = await topSingular(w, m, n, spec.rank, {
    method: spec.method,
    oversample: spec.oversample,
    niter: spec.niter,
    rng: opts.rng,
  });
  const { B, A } = factorsFromSvd(svd, m, n);
  return new LowRankMatrix(
    Tensor.fromArray(W.gpu, B, [m, spec.rank]),
    Tensor.fromArray(W.gpu, A, [spec.rank, n]),
  );
}

/** Random B (σ = 1/√r), A (σ = 1/√in): entries of B·A have variance 1/in, like a Kaiming layer. */
export function randomLowRank(
  gpu: Tensor['gpu'],
  rows: number,
  cols: number,
  rank: number,
  rng: Rng,
  kind = 'lowrank',
): LowRankMatrix {
  checkRank(rank, rows, cols);
  return new LowRankMatrix(
    Tensor.randn(gpu, [rows, rank], rng, 1 / Math.sqrt(rank)),
    Tensor.randn(gpu, [rank, cols], rng, 1 / Math.sqrt(cols)),
    kind,
  );
}

registerFamily({
  name: 'lowrank',
  label: (spec) => `Low rank (r = ${spec.rank})`,
  about:
    'A low-rank matrix W ≈ B·A stores an out × r factor B and an r × in factor A, so r·(in + out) ' +
    'numbers instead of in·out, and applies as two thin products (X·Aᵀ)·Bᵀ. The best rank-r ' +
    'approximation in Frobenius and spectral norm is the truncated SVD (Eckart–Young): keep the r ' +
    'largest singular values and their vectors; the error is exactly the energy of the discarded ' +
    'singular values. Large matrices use the randomized SVD of Halko, Martinsson and Tropp, which ' +
    'sketches W with a seeded Gaussian matrix and refines with power iterations. This is the layout ' +
    'of LoRA adapters (B·A) and of PiSSA-style initialisations.',
  paper: {
    title:
      'Halko, Martinsson, Tropp: Finding structure with randomness (2011); Eckart–Young (1936) for the optimum',
    url: 'https://arxiv.org/abs/0909.4061',
  },
  validate: validateLowRank,
  paramCount: (spec, rows, cols) => spec.rank * (rows + cols),
  project: projectLowRank,
  random: (gpu, rows, cols, spec, { rng }) => randomLowRank(gpu, rows, cols, spec.rank, rng),
});
