/**
 * Orthogonal-projection family (MatryoshkaKV-style): the projector P = U_r·U_rᵀ (in × in) onto the
 * top-r RIGHT singular subspace of W, U_r (in × r) with orthonormal columns.
 *
 * As a StructuredMatrix of W (rows = out, cols = in) this family represents W·P, i.e. W seen only
 * through the r input directions P keeps. It stores U_r (in × r) AND the r-column factor
 * WU = W·U_r (out × r), so that
 *
 *     apply(X) = X·(W·P)ᵀ = X·P·Wᵀ = (X·U_r)·(W·U_r)ᵀ       (two thin GEMMs, W never formed)
 *     toDense() = WU·U_rᵀ = W·P                            (out × in)
 *
 * When U_r is the top-r right singular basis, W·P = U_r Σ_r V_rᵀ of W: exactly the rank-r truncated
 * SVD (a cross-check with lowrank). The projector itself is exposed for the facts P² = P, Pᵀ = P:
 *
 *     applyProjector(X) = (X·U_r)·U_rᵀ = X·P                (B × in)
 *     projector()       = U_r·U_rᵀ = P                       (in × in)
 *
 * parameters() are U_r and WU (training them does not keep U_r orthonormal; project again or use an
 * orthogonal optimiser for that).
 */
import { ShapeError } from '../gpu/errors';
import { matmul, mul } from '../tensor/ops';
import type { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { checkInput, matrixShape } from './common';
import { applyTwo, topSingular } from './lowrank';
import { checkRank } from './lowrank.spec';
import { type OrthoProjSpec, orthoprojMeta } from './orthoproj.spec';
import type { FamilyDef } from './registry';
import type { ProjectOptions, StructuredMatrix } from './types';

export class OrthoProjMatrix implements StructuredMatrix {
  readonly kind = 'orthoproj';
  readonly rows: number;
  readonly cols: number;
  readonly rank: number;

  /** U: orthonormal basis [in, r]; WU: W·U [out, r]. */
  constructor(
    public U: Tensor,
    public WU: Tensor,
  ) {
    if (U.rank !== 2 || WU.rank !== 2 || U.shape[1] !== WU.shape[1])
      throw new ShapeError(
        `orthoproj: U [in, r] and W·U [out, r] do not fit: [${U.shape.join(', ')}] and [${WU.shape.join(', ')}]`,
      );
    this.cols = U.shape[0];
    this.rows = WU.shape[0];
    this.rank = U.shape[1];
  }

  get params(): number {
    return this.rank * (this.rows + this.cols);
  }

  flops(batch: number): number {
    return 2 * batch * this.rank * (this.rows + this.cols);
  }

  /** Y = X·P·Wᵀ = (X·U)·(W·U)ᵀ. */
  apply(x: Tensor): Tensor {
    checkInput(x, this.cols, this.kind);
    return applyTwo(x, this.U, false, this.WU);
  }

  /** X·P = (X·U)·Uᵀ, X [batch, in] → [batch, in]. */
  applyProjector(x: Tensor): Tensor {
    checkInput(x, this.cols, `${this.kind} projector`);
    return applyTwo(x, this.U, false, this.U);
  }

  /** P = U·Uᵀ [in, in]. */
  projector(): Tensor {
    return matmul(this.U, this.U, { transB: true });
  }

  /** W·P = (W·U)·Uᵀ [out, in]. */
  toDense(): Tensor {
    return matmul(this.WU, this.U, { transB: true });
  }

  parameters(): Tensor[] {
    return [this.U, this.WU];
  }

  dispose(): void {
    this.U.dispose();
    this.WU.dispose();
  }
}

/** n × r with orthonormal columns from seeded Gaussian draws (modified Gram–Schmidt, twice). */
export function randomOrthonormal(n: number, r: number, rng: Rng): Float64Array {
  const q = rng.normals(n * r);
  for (let c = 0; c < r; c++)
    for (let pass = 0; pass < 2; pass++) {
      for (let d = 0; d < c; d++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * r + c] * q[i * r + d];
        for (let i = 0; i < n; i++) q[i * r + c] -= dot * q[i * r + d];
      }
      let nv = 0;
      for (let i = 0; i < n; i++) nv += q[i * r + c] ** 2;
      nv = Math.sqrt(nv);
      for (let i = 0; i < n; i++) q[i * r + c] /= nv;
    }
  return q;
}

export async function projectOrthoProj(
  W: Tensor,
  spec: OrthoProjSpec,
  opts: ProjectOptions = {},
): Promise<OrthoProjMatrix> {
  const { rows: m, cols: n } = matrixShape(W, 'orthoproj.project');
  checkRank(spec.rank, m, n);
  const r = spec.rank;
  const { U, S, V } = await topSingular(W, r, { method: 'auto', rng: opts.rng });
  // W·V_r = U_r·Σ_r (from the factors: one elementwise product instead of a GEMM with W).
  const WU = tidy(() => mul(U, Tensor.fromArray(W.gpu, S, [r])));
  U.dispose();
  return new OrthoProjMatrix(V, WU);
}

export const orthoprojFamily: FamilyDef<'orthoproj'> = {
  ...orthoprojMeta,
  project: projectOrthoProj,
  random: (gpu, rows, cols, spec, { rng }) => {
    checkRank(spec.rank, rows, cols);
    const U = Tensor.fromArray(gpu, randomOrthonormal(cols, spec.rank, rng), [cols, spec.rank]);
    // A random W [out, in] with Kaiming-like entries, seen through P: W·U has entries of variance 1/in.
    const WU = Tensor.randn(gpu, [rows, spec.rank], rng, 1 / Math.sqrt(cols));
    return new OrthoProjMatrix(U, WU);
  },
};
