/**
 * Fast Walsh–Hadamard transform along the last axis (shaders/fwht.wgsl): y = x·H_n (H symmetric,
 * so also H·x per row), unnormalised (H·H = n·I) or normalised by 1/√n (orthogonal). n must be a
 * power of two. Cost n·log₂n additions per row against n² multiply-adds for the dense product.
 * Backward: H is its own transpose, so dL/dx = fwht(dL/dy) with the same scaling.
 */
import fwhtSrc from '../../shaders/fwht.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { record } from '../tensor/autograd';
import { Tensor } from '../tensor/tensor';

/** Elements one workgroup transforms in workgroup memory (must match TILE in the WGSL). */
export const FWHT_TILE = 4096;
const LOG_TILE = 12;

export const fwhtKernel = (inplace: boolean): Kernel => ({
  name: 'fwht',
  code: fwhtSrc,
  entry: inplace ? 'inplace' : 'first',
});

export function fwhtKernels(): Kernel[] {
  return [fwhtKernel(false), fwhtKernel(true)];
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** log₂ n for a power of two, else a ShapeError naming the length. */
export function checkPowerOfTwo(n: number, what: string): number {
  if (!isPowerOfTwo(n)) {
    let p = 1;
    while (p < n) p *= 2;
    throw new ShapeError(
      `${what}: length ${n} is not a power of two (the Walsh–Hadamard transform needs one; pad to ${p})`,
    );
  }
  return Math.round(Math.log2(n));
}

/** The passes for length n: stages [start, start + lg) each, at most log2(TILE) per pass. */
export function fwhtPasses(n: number): Array<{ g: number; lg: number; stride: number }> {
  const L = checkPowerOfTwo(n, 'fwht');
  const passes: Array<{ g: number; lg: number; stride: number }> = [];
  let start = 0;
  do {
    const lg = Math.min(LOG_TILE, L - start);
    passes.push({ g: 2 ** lg, lg, stride: 2 ** start });
    start += lg;
  } while (start < L);
  return passes;
}

export interface FwhtOptions {
  /** Divide by √n so the transform is orthogonal (default false: H·H = n·I). */
  normalised?: boolean;
}

/** Walsh–Hadamard transform of every row (last axis) of x; any rank ≥ 1. */
export function fwht(x: Tensor, opts: FwhtOptions = {}): Tensor {
  if (x.rank < 1) throw new ShapeError('fwht needs a tensor of rank ≥ 1');
  const n = x.shape[x.rank - 1];
  const passes = fwhtPasses(n);
  const normalised = opts.normalised ?? false;
  const out = Tensor.empty(x.gpu, x.shape, 'A Walsh–Hadamard transform');
  const groups = Math.ceil(x.size / FWHT_TILE);
  passes.forEach((p, i) => {
    const last = i === passes.length - 1;
    x.gpu.dispatch(
      fwhtKernel(i > 0),
      i === 0 ? { x: x.buffer, out: out.buffer } : { out: out.buffer },
      {
        n,
        total: x.size,
        g: p.g,
        lg: p.lg,
        stride: p.stride,
        scale: last && normalised ? 1 / Math.sqrt(n) : 1,
      },
      x.gpu.grid1d(groups),
    );
  });
  return record(out, [x], (g) => [fwht(g, { normalised })]);
}
