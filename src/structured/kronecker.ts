/**
 * Kronecker sums (Compacter's PHM layer, Mahabadi et al. 2021): W = Σ_{i<n} A_i ⊗ B_i with A_i p × q and
 * B_i r × s, rows = p·r, cols = q·s; W[a·r + e, c·s + d] = Σ_i A_i[a, c]·B_i[e, d].
 *
 * Storage is chosen so that apply is "reshape, two GEMMs, reshape" with no permutation:
 *   A [p·n, q] with A_i[a, c] = A[a·n + i, c],   B [r, n·s] with B_i[e, d] = B[e, i·s + d].
 * For a row x viewed as X (q × s):  U = A·X  ([p·n, s], i.e. [p, n·s]),  y = U·Bᵀ ([p, r]) flattened.
 * Over the batch the first is A times every X_b (shaders/kronecker.wgsl when s % 4 == 0, else a broadcast
 * batched ops.matmul) and the second one plain GEMM (ops.matmul, shaders/gemm.wgsl). W is never formed.
 *
 * With Compacter's default p = q = n (factor omitted) the flops equal dense (the saving is in parameters).
 * Projection: nearest Kronecker sum by the Van Loan–Pitsianis rearrangement (kronProject below; its
 * oracle in src/reference/kronecker.ts).
 */
import kroneckerSrc from '../../shaders/kronecker.wgsl?raw';
import type { Gpu, Kernel } from '../gpu/device';
import { splitFactors } from '../linalg/factors';
import { svdJacobi } from '../linalg/jacobi';
import { denseViaApply } from '../ops/dense-via-apply';
import { needsGrad, record } from '../tensor/autograd';
import { matmul, sum } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { checkInput, readMatrix } from './common';
import { type KronShape, kroneckerMeta, kronShapeOf } from './kronecker.spec';
import type { FamilyDef } from './registry';
import type { ProjectOptions, StructuredMatrix } from './types';

export const kronKernel = (transA: boolean): Kernel => ({
  name: 'kronecker',
  code: kroneckerSrc,
  constants: { TRANS_A: transA },
});

/** The pipelines this family adds to ops.matmul's (for precompile). */
export const kroneckerKernels = (): Kernel[] => [kronKernel(false), kronKernel(true)];

/** c[b] = op(a)·x[b] for a [M, K] (stored [K, M] when transA), x [batch, K, N], N % 4 == 0. No autograd. */
function leftRaw(a: Tensor, x: Tensor, transA: boolean): Tensor {
  const [batch, K, N] = x.shape;
  const M = a.size / K;
  const out = Tensor.empty(x.gpu, [batch, M, N], 'A Kronecker-sum intermediate');
  const n = batch * Math.ceil(M / 8) * (N / 4);
  x.gpu.dispatch(
    kronKernel(transA),
    { a: a.buffer, x: x.buffer, c: out.buffer },
    { batch, M, K, N4: N / 4 },
    x.gpu.grid1d(Math.ceil(n / 64)),
  );
  return out;
}

/** u[b] = a·x[b] (a [M, K] shared, x [batch, K, N], N % 4 == 0), differentiable in a and x. */
export function broadcastLeft(a: Tensor, x: Tensor): Tensor {
  return record(leftRaw(a, x, false), [a, x], (g) => {
    const dx = needsGrad(x) ? leftRaw(a, g, true) : null;
    let da: Tensor | null = null;
    if (needsGrad(a)) {
      const per = matmul(g, x, { transB: true }); // [batch, M, K]
      da = sum(per, 0);
      per.dispose();
    }
    return [da, dx];
  });
}

export class KroneckerMatrix implements StructuredMatrix {
  readonly kind = 'kronecker';
  readonly rows: number;
  readonly cols: number;
  readonly params: number;

  /** A [p·n, q], B [r, n·s] (see the file comment). */
  constructor(
    readonly shape: KronShape,
    public A: Tensor,
    public B: Tensor,
  ) {
    const { n, p, q, r, s } = shape;
    this.rows = p * r;
    this.cols = q * s;
    this.params = n * (p * q + r * s);
  }

  flops(batch: number): number {
    const { n, p, q, r, s } = this.shape;
    return 2 * batch * p * n * s * (q + r);
  }

  apply(x: Tensor): Tensor {
    checkInput(x, this.cols, 'kronecker');
    const { n, p, q, s } = this.shape;
    const batch = x.shape[0];
    const xr = x.reshape([batch, q, s]);
    const u = s % 4 === 0 ? broadcastLeft(this.A, xr) : matmul(this.A, xr); // [batch, p·n, s]
    const ur = u.reshape([batch * p, n * s]);
    const y = matmul(ur, this.B, { transB: true }); // [batch·p, r]
    const out = y.reshape([batch, this.rows]);
    if (!out.requiresGrad) for (const t of [xr, u, ur, y]) t.dispose();
    return out;
  }

  toDense(): Tensor {
    return denseViaApply(this);
  }

  parameters(): Tensor[] {
    return [this.A, this.B];
  }

  dispose(): void {
    this.A.dispose();
    this.B.dispose();
  }
}

export const kroneckerFamily: FamilyDef<'kronecker'> = {
  ...kroneckerMeta,
  async project(W, spec) {
    const { data, rows, cols } = await readMatrix(W, 'kronecker.project');
    const k = kronShapeOf(spec, rows, cols);
    const { A, B } = kronProject(data, k);
    return new KroneckerMatrix(
      k,
      Tensor.fromArray(W.gpu, A, [k.p * k.n, k.q]).trainable(),
      Tensor.fromArray(W.gpu, B, [k.r, k.n * k.s]).trainable(),
    );
  },
  random(gpu: Gpu, rows, cols, spec, opts: Required<ProjectOptions>) {
    const k = kronShapeOf(spec, rows, cols);
    const rng = opts.rng ?? new Rng(0);
    // Var W_ij = n·Var A·Var B = 1 / cols (variance-preserving like a dense layer's init).
    const A = Tensor.randn(gpu, [k.p * k.n, k.q], rng, 1 / Math.sqrt(k.q)).trainable();
    const B = Tensor.randn(gpu, [k.r, k.n * k.s], rng, 1 / Math.sqrt(k.n * k.s)).trainable();
    return new KroneckerMatrix(k, A, B);
  },
};

/**
 * Nearest n-term Kronecker sum (Van Loan–Pitsianis): ℛ(W)[(a·q + c), (e·s + d)] = W[a·r + e, c·s + d]
 * turns W = Σ A_i ⊗ B_i into ℛ(W) = Σ vec(A_i)·vec(B_i)ᵀ, so the best n terms are the rank-n truncated
 * SVD of ℛ(W) (svdJacobi, f64), each term split as √σ·u and √σ·v into the A [p, n, q] and
 * B [r, n, s] layouts. Terms past rank(ℛ(W)) are zero.
 */
export function kronProject(w: Float64Array, k: KronShape): { A: Float64Array; B: Float64Array } {
  const { n, p, q, r, s } = k;
  const cols = q * s;
  const R = new Float64Array(p * q * r * s);
  for (let a = 0; a < p; a++)
    for (let c = 0; c < q; c++)
      for (let e = 0; e < r; e++)
        for (let d = 0; d < s; d++) R[(a * q + c) * r * s + e * s + d] = w[(a * r + e) * cols + c * s + d];
  const { U, S, V, k: rank } = svdJacobi(R, p * q, r * s);
  const A = new Float64Array(p * n * q);
  const B = new Float64Array(r * n * s);
  const t = Math.min(n, rank);
  // Column i of u = √σ_i·vec(A_i) (pq × t), row i of v = √σ_i·vec(B_i) (t × rs).
  const { B: u, A: v } = splitFactors(U, S, V, p * q, r * s, rank, t);
  for (let i = 0; i < t; i++) {
    for (let a = 0; a < p; a++) for (let c = 0; c < q; c++) A[(a * n + i) * q + c] = u[(a * q + c) * t + i];
    for (let e = 0; e < r; e++) for (let d = 0; d < s; d++) B[(e * n + i) * s + d] = v[i * r * s + e * s + d];
  }
  return { A, B };
}
