/**
 * Monarch matrices (Dao et al. 2022): W = P_out · L · P_mid · R, two block-diagonal factors
 * interleaved with reshape-transposes (ALGORITHMS.md §2). Entry-wise
 *   W[j·m2 + i, t·P + c] = w2[i, j, t] · w1[t, i, c],
 * w1 [m1, m2, P] the R blocks (m1 blocks of m2 × P, P = cols / m1), w2 [m2, Q, m1] the L blocks
 * (m2 blocks of Q × m1, Q = rows / m2).
 *
 * Rectangular convention (see src/reference/monarch.ts): m1 = spec.blocks (must divide cols; default
 * the divisor of cols closest to √cols), m2 = cols / m1 for square matrices (the paper's form) and
 * otherwise the divisor of rows closest to cols / m1, so the intermediate keeps ≈ cols entries.
 *
 * apply runs two strided block-diagonal products (shaders/blockdiag.wgsl): the first writes its
 * intermediate transposed (z'[b, i·m1 + t]) so the second reads contiguous blocks and scatters its
 * output with stride m2. W is never formed.
 */
import type { Gpu } from '../gpu/device';
import { type MonarchShape, monarchProject, monarchShape } from '../reference/monarch';
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
    readonly w1: Tensor,
    readonly w2: Tensor,
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
    const { w1, w2 } = monarchProject({ data, shape: [rows, cols] }, s);
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
