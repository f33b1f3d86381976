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
 * Halko–Martinsson–Tropp sketch on the GPU (src/linalg/rsvd.ts); 'auto' picks exact when
 * min(out, in) ≤ 256. The factors are formed on the GPU from the SVD (no read-back of W on the
 * randomized path).
 *
 * The helpers below (topSingular, factorsFromSvd) are shared with orthoproj.ts and fwsvd.ts.
 * Parameters are not marked trainable here: an optimiser calls .trainable() on parameters().
 * Like every composite op, apply() run with gradients keeps its intermediate X·Aᵀ alive for the
 * backward pass: run it inside tidy().
 */
import { ShapeError } from '../gpu/errors';
import { type GpuSvd, type SvdMethod, truncatedSvd } from '../linalg/rsvd';
import { matmul, mul, transpose } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { checkInput, matrixShape } from './common';
import { checkRank, type LowRankSpec, lowrankMeta, validateLowRank } from './lowrank.spec';
import type { FamilyDef } from './registry';
import type { ProjectOptions, StructuredMatrix } from './types';

export interface TopSvdOptions {
  method?: SvdMethod;
  oversample?: number;
  niter?: number;
  rng?: Rng;
}

/**
 * The top-r singular triplets of W [m, n] (src/linalg/rsvd.ts truncatedSvd: 'exact' = f64 Jacobi on
 * the CPU, 'randomized' = seeded HMT on the GPU, 'auto' = exact when min(m, n) ≤ 256). Without an
 * experiment rng the randomized sketch still is reproducible: seed 0. The caller disposes U and V.
 */
export async function topSingular(W: Tensor, r: number, opts: TopSvdOptions = {}): Promise<GpuSvd> {
  const { U, S, V } = await truncatedSvd(W, r, {
    method: opts.method ?? 'auto',
    oversample: opts.oversample,
    niter: opts.niter,
    rng: opts.rng ?? new Rng(0),
  });
  return { U, S, V };
}

/**
 * LoRA-layout factors of an SVD, √σ split to both sides: B = U·√Σ [m, r], A = √Σ·Vᵀ·diag(colScale)
 * [r, n]. Consumes (disposes) svd.U and svd.V.
 */
export function factorsFromSvd(svd: GpuSvd, colScale?: ArrayLike<number>): { B: Tensor; A: Tensor } {
  const gpu = svd.U.gpu;
  const out = tidy(() => {
    const root = Tensor.fromArray(gpu, svd.S.map(Math.sqrt), [svd.S.length]);
    const B = mul(svd.U, root);
    let A = transpose(mul(svd.V, root));
    if (colScale) A = mul(A, Tensor.fromArray(gpu, colScale, [colScale.length]));
    return { B, A };
  });
  svd.U.dispose();
  svd.V.dispose();
  return out;
}

/** W, checked to be a 2-D matrix. */
/** Y = (X·Aᵀ)·Bᵀ; the thin intermediate is freed at once when no gradient is being recorded. */
export function applyTwo(x: Tensor, first: Tensor, firstTransB: boolean, second: Tensor): Tensor {
  const h = matmul(x, first, { transB: firstTransB });
  const y = matmul(h, second, { transB: true });
  if (!y.backwardFn) h.dispose();
  return y;
}

/** W ≈ B·A, B [out, r], A [r, in]. */
export class LowRankMatrix implements StructuredMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rank: number;

  constructor(
    public B: Tensor,
    public A: Tensor,
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

/** Project W [out, in] onto rank r (Eckart–Young). */
export async function projectLowRank(
  W: Tensor,
  spec: LowRankSpec,
  opts: ProjectOptions = {},
): Promise<LowRankMatrix> {
  const { rows: m, cols: n } = matrixShape(W, 'lowrank.project');
  validateLowRank(spec, m, n);
  const svd = await topSingular(W, spec.rank, {
    method: spec.method,
    oversample: spec.oversample,
    niter: spec.niter,
    rng: opts.rng,
  });
  const { B, A } = factorsFromSvd(svd);
  return new LowRankMatrix(B, A);
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

export const lowrankFamily: FamilyDef<'lowrank'> = {
  ...lowrankMeta,
  project: projectLowRank,
  random: (gpu, rows, cols, spec, { rng }) => randomLowRank(gpu, rows, cols, spec.rank, rng),
};
