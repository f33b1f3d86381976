/**
 * Block-diagonal matrices: W = diag(W_0, …, W_{b−1}), each block (rows/b) × (cols/b), stored as one
 * tensor [b, rows/b, cols/b]. Its product is the shared strided block-diagonal kernel in
 * src/ops/blockdiag-matmul.ts (Monarch runs the same kernel for both of its factors).
 */
import type { Gpu } from '../gpu/device';
import { type BlockGeometry, blockDiagMatmul } from '../ops/blockdiag-matmul';
import { denseViaApply } from '../ops/dense-via-apply';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { blockdiagMeta } from './blockdiag.spec';
import { checkInput, readMatrix } from './common';
import type { FamilyDef } from './registry';
import type { ProjectOptions, StructuredMatrix } from './types';

// ------------------------------------------------------------------ the family

export class BlockDiagMatrix implements StructuredMatrix {
  readonly kind = 'blockdiag';
  readonly params: number;
  readonly geo: BlockGeometry;

  /** w: [blocks, rows/blocks, cols/blocks]. */
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly blocks: number,
    public w: Tensor,
  ) {
    const R = rows / blocks;
    const K = cols / blocks;
    this.params = blocks * R * K;
    this.geo = { nb: blocks, R, K, xLen: cols, yLen: rows, ibs: K, ies: 1, obs: R, oes: 1 };
  }

  flops(batch: number): number {
    return 2 * batch * this.params;
  }

  apply(x: Tensor): Tensor {
    checkInput(x, this.cols, 'blockdiag');
    return blockDiagMatmul(x, this.w, this.geo);
  }

  toDense(): Tensor {
    return denseViaApply(this);
  }

  parameters(): Tensor[] {
    return [this.w];
  }

  dispose(): void {
    this.w.dispose();
  }
}

export const blockdiagFamily: FamilyDef<'blockdiag'> = {
  ...blockdiagMeta,
  async project(W, spec) {
    const { data, rows, cols } = await readMatrix(W, 'blockdiag.project');
    blockdiagMeta.validate(spec, rows, cols);
    const b = spec.blocks;
    const w = keepDiagonalBlocks(data, rows, cols, b);
    return new BlockDiagMatrix(
      rows,
      cols,
      b,
      Tensor.fromArray(W.gpu, w, [b, rows / b, cols / b]).trainable(),
    );
  },
  random(gpu: Gpu, rows, cols, spec, opts: Required<ProjectOptions>) {
    blockdiagMeta.validate(spec, rows, cols);
    const b = spec.blocks;
    const rng = opts.rng ?? new Rng(0);
    const K = cols / b;
    const w = Tensor.randn(gpu, [b, rows / b, K], rng, 1 / Math.sqrt(K)).trainable();
    return new BlockDiagMatrix(rows, cols, b, w);
  },
};

/**
 * The Frobenius-optimal block-diagonal projection: keep W's diagonal blocks (R × K each, R = rows / nb,
 * K = cols / nb), packed as [nb, R, K]; everything off the blocks is outside the support.
 */
export function keepDiagonalBlocks(w: Float64Array, rows: number, cols: number, nb: number): Float64Array {
  const R = rows / nb;
  const K = cols / nb;
  const out = new Float64Array(nb * R * K);
  for (let g = 0; g < nb; g++)
    for (let r = 0; r < R; r++) {
      const src = (g * R + r) * cols + g * K;
      out.set(w.subarray(src, src + K), (g * R + r) * K);
    }
  return out;
}
