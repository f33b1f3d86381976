/**
 * Monarch matrices (Dao et al. 2022): W = P_out · L · P_mid · R, two block-diagonal factors
 * interleaved with reshape-transposes (ALGORITHMS.md §2). Entry-wise
 *   W[j·m2 + i, t·P + c] = w2[i, j, t] · w1[t, i, c],
 * w1 [m1, m2, P] the R blocks (m1 blocks of m2 × P, P = cols / m1), w2 [m2, Q, m1] the L blocks
 * (m2 blocks of Q × m1, Q = rows / m2).
 *
 * Rectangular convention (monarchShape below; its oracle in src/reference/monarch.ts): m1 =
 * spec.blocks (must divide cols; default the divisor of cols closest to √cols), m2 = cols / m1 for
 * square matrices (the paper's form) and otherwise the divisor of rows closest to cols / m1, so the
 * intermediate keeps ≈ cols entries.
 *
 * apply runs two strided block-diagonal products (shaders/blockdiag.wgsl): the first writes its
 * intermediate transposed (z'[b, i·m1 + t]) so the second reads contiguous blocks and scatters its
 * output with stride m2. W is never formed.
 */
import type { Gpu } from '../gpu/device';
import { splitFactors } from '../linalg/factors';
import { svdJacobi } from '../linalg/jacobi';
import { type BlockGeometry, blockDiagMatmul } from '../ops/blockdiag-matmul';
import { denseViaApply } from '../ops/dense-via-apply';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { checkInput, readMatrix } from './common';
import { type MonarchShape, monarchMeta, monarchShapeOf } from './monarch.spec';
import type { FamilyDef } from './registry';
import type { ProjectOptions, StructuredMatrix } from './types';

export class MonarchMatrix implements StructuredMatrix {
  readonly kind = 'monarch';
  readonly rows: number;
  readonly cols: number;
  readonly params: number;
  readonly stage1: BlockGeometry;
  readonly stage2: BlockGeometry;

  /** w1 [m1, m2, P], w2 [m2, Q, m1]. */
  constructor(
    readonly shape: MonarchShape,
    public w1: Tensor,
    public w2: Tensor,
  ) {
    const { rows, cols, m1, m2, P, Q } = shape;
    this.rows = rows;
    this.cols = cols;
    this.params = m1 * m2 * P + m2 * Q * m1;
    const mid = m1 * m2;
    this.stage1 = { nb: m1, R: m2, K: P, xLen: cols, yLen: mid, ibs: P, ies: 1, obs: 1, oes: m1 };
    this.stage2 = { nb: m2, R: Q, K: m1, xLen: mid, yLen: rows, ibs: m1, ies: 1, obs: 1, oes: m2 };
  }

  flops(batch: number): number {
    return 2 * batch * this.params;
  }

  apply(x: Tensor): Tensor {
    checkInput(x, this.cols, 'monarch');
    const z = blockDiagMatmul(x, this.w1, this.stage1);
    const y = blockDiagMatmul(z, this.w2, this.stage2);
    if (!y.requiresGrad) z.dispose();
    return y;
  }

  toDense(): Tensor {
    return denseViaApply(this);
  }

  parameters(): Tensor[] {
    return [this.w1, this.w2];
  }

  dispose(): void {
    this.w1.dispose();
    this.w2.dispose();
  }
}

export const monarchFamily: FamilyDef<'monarch'> = {
  ...monarchMeta,
  async project(W, spec) {
    const { data, rows, cols } = await readMatrix(W, 'monarch.project');
    const s = monarchShapeOf(spec, rows, cols);
    const { w1, w2 } = monarchProject(data, s);
    return new MonarchMatrix(
      s,
      Tensor.fromArray(W.gpu, w1, [s.m1, s.m2, s.P]).trainable(),
      Tensor.fromArray(W.gpu, w2, [s.m2, s.Q, s.m1]).trainable(),
    );
  },
  random(gpu: Gpu, rows, cols, spec, opts: Required<ProjectOptions>) {
    const s = monarchShapeOf(spec, rows, cols);
    const rng = opts.rng ?? new Rng(0);
    // Variance-preserving: each factor keeps E|y|² = E|x|² (fan-ins P and m1).
    const w1 = Tensor.randn(gpu, [s.m1, s.m2, s.P], rng, 1 / Math.sqrt(s.P)).trainable();
    const w2 = Tensor.randn(gpu, [s.m2, s.Q, s.m1], rng, 1 / Math.sqrt(s.m1)).trainable();
    return new MonarchMatrix(s, w1, w2);
  },
};

/**
 * Frobenius-optimal Monarch projection (closed form): the slices B_{i,t}[j, c] = W[j·m2 + i, t·P + c]
 * partition W and each is one rank-1 product w2[i, :, t]·w1[t, i, :]ᵀ, so each slice keeps its top
 * singular triplet (svdJacobi, f64), split as √σ·u and √σ·v.
 */
export function monarchProject(w: Float64Array, s: MonarchShape): { w1: Float64Array; w2: Float64Array } {
  const { cols, m1, m2, P, Q } = s;
  const w1 = new Float64Array(m1 * m2 * P);
  const w2 = new Float64Array(m2 * Q * m1);
  const slice = new Float64Array(Q * P);
  for (let i = 0; i < m2; i++)
    for (let t = 0; t < m1; t++) {
      for (let j = 0; j < Q; j++)
        slice.set(w.subarray((j * m2 + i) * cols + t * P, (j * m2 + i) * cols + (t + 1) * P), j * P);
      const { U, S, V, k } = svdJacobi(slice, Q, P);
      const { B: u, A: v } = splitFactors(U, S, V, Q, P, k, 1); // √σ·u (Q), √σ·v (P)
      for (let j = 0; j < Q; j++) w2[(i * Q + j) * m1 + t] = u[j];
      for (let c = 0; c < P; c++) w1[(t * m2 + i) * P + c] = v[c];
    }
  return { w1, w2 };
}
