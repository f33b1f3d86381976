/**
 * Block-diagonal matrices: W = diag(W_0, …, W_{b−1}), each block (rows/b) × (cols/b), stored as one
 * tensor [b, rows/b, cols/b]. Also home of the strided block-diagonal product (shaders/blockdiag.wgsl)
 * that Monarch reuses for both of its factors.
 */
import blockdiagSrc from '../../shaders/blockdiag.wgsl?raw';
import type { Gpu, Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { needsGrad, noGrad, record } from '../tensor/autograd';
import { gemmProfile } from '../tensor/gemm-plan';
import { transpose } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { blockdiagMeta } from './blockdiag.spec';
import { checkInput, readMatrix } from './common';
import type { FamilyDef } from './registry';
import type { ProjectOptions, StructuredMatrix } from './types';

/**
 * Geometry of y = blockdiag(W)·x with gathers / scatters: nb blocks of R × K;
 * y[b, g·obs + r·oes] = Σ_c W_g[r, c] · x[b, g·ibs + c·ies]; x rows have xLen entries, y rows yLen.
 */
export interface BlockGeometry {
  nb: number;
  R: number;
  K: number;
  xLen: number;
  yLen: number;
  ibs: number;
  ies: number;
  obs: number;
  oes: number;
}

export type FastVariant = 'fast4x8' | 'fast8x8' | 'fast8x16' | 'fast16x16';
export type BlockEntry = 'forward' | 'forward8' | FastVariant | 'gradW' | 'gradX8x16' | 'gradW8x16';

export const blockKernel = (entry: BlockEntry, transW = false): Kernel => ({
  name: 'blockdiag',
  code: blockdiagSrc,
  entry,
  constants: entry === 'forward' || entry === 'forward8' ? { TRANS_W: transW } : {},
});

/** Every pipeline these families use (for precompile). */
export const blockKernels = (): Kernel[] => [
  blockKernel('forward'),
  blockKernel('forward', true),
  blockKernel('forward8'),
  blockKernel('forward8', true),
  blockKernel('fast4x8'),
  blockKernel('fast8x8'),
  blockKernel('fast8x16'),
  blockKernel('fast16x16'),
  blockKernel('gradW'),
  blockKernel('gradX8x16'),
  blockKernel('gradW8x16'),
];

/**
 * Kernel choice, mutable for A/B benches and tests. `variant` forces one fast variant (null: choose by
 * shape and the GEMM profile); `fast` false forces the scalar kernels; `tile` is the scalar kernels'
 * rows per invocation (8 uses forward8 when a block has ≥ 8 rows).
 */
export const blockTuning = { tile: 8 as 4 | 8, fast: true, variant: null as FastVariant | null };

/** The fast variants need vec4-aligned rows and blocks of x and of w (and w not read transposed). */
function aligned(geo: BlockGeometry, transW: boolean): boolean {
  return !transW && geo.ies === 1 && geo.K % 4 === 0 && geo.ibs % 4 === 0 && geo.xLen % 4 === 0;
}

const FAST: Record<FastVariant, [number, number]> = {
  fast16x16: [16, 16],
  fast8x16: [8, 16],
  fast8x8: [8, 8],
  fast4x8: [4, 8],
};

/**
 * Fat register blocks on CPU WebGPU ('cpu' GEMM profile: 16 × 16 measured fastest on SwiftShader at
 * n = 512, batch 64), at most 8 × 8 on real GPUs (registers); the largest block that still gives two
 * 64-wide workgroups of work and does not mostly overhang a short block.
 */
export function fastVariant(batch: number, geo: BlockGeometry): FastVariant {
  if (blockTuning.variant) return blockTuning.variant;
  const order: FastVariant[] =
    gemmProfile() === 'cpu' ? ['fast16x16', 'fast8x16', 'fast8x8', 'fast4x8'] : ['fast8x8', 'fast4x8'];
  for (const v of order) {
    const [bb, br] = FAST[v];
    if (br > Math.max(8, geo.R) || bb > Math.max(4, batch)) continue;
    if (Math.ceil(batch / bb) * Math.ceil(geo.R / br) * geo.nb >= 128) return v;
  }
  return 'fast4x8';
}

function uniforms(batch: number, g: BlockGeometry) {
  return {
    batch,
    nb: g.nb,
    R: g.R,
    K: g.K,
    xStride: g.xLen,
    yStride: g.yLen,
    ibs: g.ibs,
    ies: g.ies,
    obs: g.obs,
    oes: g.oes,
  };
}

/** The raw forward dispatch (no autograd): y [batch, yLen]. transW reads each stored block transposed. */
function forwardRaw(x: Tensor, w: Tensor, geo: BlockGeometry, transW: boolean): Tensor {
  const batch = x.shape[0];
  const y = Tensor.empty(x.gpu, [batch, geo.yLen], 'A block-diagonal product');
  if (blockTuning.fast && aligned(geo, transW)) {
    const v = fastVariant(batch, geo);
    const [bb, br] = FAST[v];
    const n = Math.ceil(batch / bb) * Math.ceil(geo.R / br) * geo.nb;
    x.gpu.dispatch(
      blockKernel(v),
      { x4: x.buffer, w4: w.buffer, y: y.buffer },
      uniforms(batch, geo),
      x.gpu.grid1d(Math.ceil(n / 64)),
    );
    return y;
  }
  const tile = blockTuning.tile === 8 && geo.R >= 8 ? 8 : 4;
  const rTiles = Math.ceil(geo.R / tile);
  x.gpu.dispatch(
    blockKernel(tile === 8 ? 'forward8' : 'forward', transW),
    { x: x.buffer, w: w.buffer, y: y.buffer },
    uniforms(batch, geo),
    [Math.ceil((geo.nb * rTiles) / 8), Math.ceil(Math.ceil(batch / 4) / 8)],
  );
  return y;
}

/** dW [nb, R, K] = Σ_b g[b, block rows] ⊗ x[b, block cols]. */
function gradWRaw(g: Tensor, x: Tensor, geo: BlockGeometry, wShape: readonly number[]): Tensor {
  const dw = Tensor.empty(x.gpu, wShape, 'A block-diagonal weight gradient');
  if (blockTuning.fast && aligned(geo, false)) {
    const n = Math.ceil(geo.R / 8) * Math.ceil(geo.K / 16) * geo.nb;
    x.gpu.dispatch(
      blockKernel('gradW8x16'),
      { g: g.buffer, x4: x.buffer, dw4: dw.buffer },
      uniforms(x.shape[0], geo),
      x.gpu.grid1d(Math.ceil(n / 64)),
    );
    return dw;
  }
  x.gpu.dispatch(
    blockKernel('gradW'),
    { g: g.buffer, x: x.buffer, dw: dw.buffer },
    uniforms(x.shape[0], geo),
    [Math.ceil(Math.ceil(geo.K / 4) / 8), Math.ceil(Math.ceil(geo.R / 4) / 8), geo.nb],
  );
  return dw;
}

/** dX [batch, xLen] = g·blockdiag(w) (the geometry is the forward one). */
function gradXRaw(g: Tensor, w: Tensor, geo: BlockGeometry): Tensor {
  if (!(blockTuning.fast && geo.K % 4 === 0)) {
    const swapped: BlockGeometry = {
      nb: geo.nb,
      R: geo.K,
      K: geo.R,
      xLen: geo.yLen,
      yLen: geo.xLen,
      ibs: geo.obs,
      ies: geo.oes,
      obs: geo.ibs,
      oes: geo.ies,
    };
    return forwardRaw(g, w, swapped, true);
  }
  const batch = g.shape[0];
  const dx = Tensor.empty(g.gpu, [batch, geo.xLen], 'A block-diagonal input gradient');
  const n = Math.ceil(batch / 8) * Math.ceil(geo.K / 16) * geo.nb;
  g.gpu.dispatch(
    blockKernel('gradX8x16'),
    { g: g.buffer, w4: w.buffer, y: dx.buffer },
    uniforms(batch, geo),
    g.gpu.grid1d(Math.ceil(n / 64)),
  );
  return dx;
}

/**
 * y = blockdiag(w)·x per row of x [batch, xLen] → [batch, yLen], differentiable in x and w.
 * The geometry must cover every entry of y (and, for the x gradient, of x) exactly once.
 */
export function blockDiagMatmul(x: Tensor, w: Tensor, geo: BlockGeometry): Tensor {
  if (x.gpu !== w.gpu) throw new ShapeError('tensors live on different GPU devices');
  if (x.rank !== 2 || x.shape[1] !== geo.xLen)
    throw new ShapeError(
      `block-diagonal product: x must be [batch, ${geo.xLen}], got [${x.shape.join(', ')}]`,
    );
  if (w.size !== geo.nb * geo.R * geo.K)
    throw new ShapeError(
      `block-diagonal product: w has ${w.size} entries, ${geo.nb} blocks of ${geo.R}×${geo.K} need ${geo.nb * geo.R * geo.K}`,
    );
  return record(forwardRaw(x, w, geo, false), [x, w], (g) => [
    needsGrad(x) ? gradXRaw(g, w, geo) : null,
    needsGrad(w) ? gradWRaw(g, x, geo, w.shape) : null,
  ]);
}

/**
 * W as a dense tensor through apply: W = (I·Wᵀ)ᵀ. A value for plots and errors, not differentiable:
 * no graph is recorded, so no intermediate outlives the call (leak-free outside tidy()).
 */
export function denseViaApply(m: StructuredMatrix): Tensor {
  return noGrad(() => {
    const gpu = m.parameters()[0].gpu;
    const eye = new Float32Array(m.cols * m.cols);
    for (let i = 0; i < m.cols; i++) eye[i * m.cols + i] = 1;
    const I = Tensor.fromArray(gpu, eye, [m.cols, m.cols]);
    const wt = m.apply(I);
    const w = transpose(wt);
    wt.dispose();
    I.dispose();
    return w;
  });
}

/** Check x is [batch, cols] for a matrix with `cols` inputs. */
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
