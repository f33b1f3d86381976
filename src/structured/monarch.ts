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
import { svdJacobi } from '../linalg/jacobi';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { type BlockGeometry, blockDiagMatmul, denseViaApply } from './blockdiag';
import { checkInput, readMatrix } from './common';
import { type FamilyDef, registerFamily } from './registry';
import type { SpecOf } from './specs';
import { type ProjectOptions, SpecError, type StructuredMatrix } from './types';

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

type Spec = SpecOf<'monarch'>;

function validate(spec: Spec, _rows: number, cols: number): void {
  const b = spec.blocks;
  if (b === undefined) return;
  if (!Number.isInteger(b) || b < 1)
    throw new SpecError('blocks', `blocks (m1) must be a positive integer, got ${b}`);
  if (cols % b !== 0)
    throw new SpecError(
      'blocks',
      `blocks (m1) = ${b} must divide the input size cols = ${cols} (the first factor has m1 blocks of cols / m1 inputs)`,
    );
}

/** The factor shapes a spec gives for a rows × cols matrix (after validate). */
export function monarchShapeOf(spec: Spec, rows: number, cols: number): MonarchShape {
  validate(spec, rows, cols);
  return monarchShape(rows, cols, spec.blocks);
}

export const monarchFamily: FamilyDef<'monarch'> = {
  name: 'monarch',
  label: (spec) => `Monarch (${spec.blocks === undefined ? 'm1 ≈ √n' : `m1 = ${spec.blocks}`})`,
  about:
    'A Monarch matrix is a product of two block-diagonal matrices with a fixed "transpose" permutation ' +
    'between them (and after them): the first factor mixes inside m1 groups of inputs, the permutation ' +
    'deals the results out so that the second factor mixes across groups. With m1 = m2 = √n it stores and ' +
    'multiplies 2n√n numbers instead of n², yet it can express the FFT, convolutions and every butterfly ' +
    'matrix. Every entry is a product w2·w1, so the best Monarch approximation of a dense W is found in ' +
    'closed form: a rank-1 SVD of each of the m1·m2 slices that partition W.',
  paper: {
    title: 'Monarch: Expressive Structured Matrices for Efficient and Accurate Training',
    url: 'https://arxiv.org/abs/2204.00595',
  },
  validate,
  paramCount: (spec, rows, cols) => {
    const s = monarchShapeOf(spec, rows, cols);
    return s.m1 * s.m2 * s.P + s.m2 * s.Q * s.m1;
  },
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

registerFamily(monarchFamily);

export interface MonarchShape {
  rows: number;
  cols: number;
  m1: number;
  m2: number;
  P: number;
  Q: number;
}

/** The divisor of n closest to target (ties: the smaller). */
export function closestDivisor(n: number, target: number): number {
  let best = 1;
  for (let d = 2; d <= n; d++) if (n % d === 0 && Math.abs(d - target) < Math.abs(best - target)) best = d;
  return best;
}

/** Shape of a rows × cols Monarch with m1 R-blocks (default: the divisor of cols closest to √cols). */
export function monarchShape(rows: number, cols: number, m1?: number): MonarchShape {
  const b = m1 ?? closestDivisor(cols, Math.sqrt(cols));
  const P = cols / b;
  const m2 = rows === cols ? P : closestDivisor(rows, P);
  return { rows, cols, m1: b, m2, P, Q: rows / m2 };
}

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
      const root = Math.sqrt(S[0]);
      for (let j = 0; j < Q; j++) w2[(i * Q + j) * m1 + t] = root * U[j * k];
      for (let c = 0; c < P; c++) w1[(t * m2 + i) * P + c] = root * V[c * k];
    }
  return { w1, w2 };
}
