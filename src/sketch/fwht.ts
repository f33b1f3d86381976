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

/** Largest group of the register variant (must match the private array in the WGSL). */
export const FWHT_RADIX = 16;
const LOG_RADIX = 4;

/**
 * Two plans: 'workgroup' (up to 12 stages per pass in workgroup memory, radix-4 between barriers:
 * one pass up to n = 4096, two up to 2^24) and 'registers' (up to 4 stages per pass in registers,
 * no barriers: ⌈log2 n / 4⌉ passes). GPUs get the first; CPU adapters (SwiftShader), where
 * barriers are costly, the second — see docs/benchmarks.md.
 */
export type FwhtVariant = 'workgroup' | 'registers';

export const fwhtKernel = (variant: FwhtVariant): Kernel => ({
  name: 'fwht',
  code: fwhtSrc,
  entry: variant === 'workgroup' ? 'main' : 'radix',
});

export function fwhtKernels(): Kernel[] {
  return [fwhtKernel('workgroup'), fwhtKernel('registers')];
}

/** The variant for a device: registers on CPU (fallback / SwiftShader) adapters, workgroup otherwise. */
export function fwhtVariantFor(info: { isFallbackAdapter: boolean; architecture?: string }): FwhtVariant {
  return info.isFallbackAdapter || info.architecture === 'swiftshader' ? 'registers' : 'workgroup';
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

/** The passes for length n: stages [start, start + lg) each, at most log2(TILE) (or log2(RADIX)) per pass. */
export function fwhtPasses(
  n: number,
  variant: FwhtVariant = 'workgroup',
): Array<{ g: number; lg: number; stride: number }> {
  const L = checkPowerOfTwo(n, 'fwht');
  const most = variant === 'workgroup' ? LOG_TILE : LOG_RADIX;
  const passes: Array<{ g: number; lg: number; stride: number }> = [];
  let start = 0;
  do {
    const lg = Math.min(most, L - start);
    passes.push({ g: 2 ** lg, lg, stride: 2 ** start });
    start += lg;
  } while (start < L);
  return passes;
}

export interface FwhtOptions {
  /** Divide by √n so the transform is orthogonal (default false: H·H = n·I). */
  normalised?: boolean;
  /** Force a plan (tests, benchmarks); default: fwhtVariantFor(the device). */
  variant?: FwhtVariant;
}

/** Walsh–Hadamard transform of every row (last axis) of x; any rank ≥ 1. */
export function fwht(x: Tensor, opts: FwhtOptions = {}): Tensor {
  if (x.rank < 1) throw new ShapeError('fwht needs a tensor of rank ≥ 1');
  const n = x.shape[x.rank - 1];
  const variant = opts.variant ?? fwhtVariantFor(x.gpu.info);
  const passes = fwhtPasses(n, variant);
  const normalised = opts.normalised ?? false;
  const out = Tensor.empty(x.gpu, x.shape, 'A Walsh–Hadamard transform');
  // Ping-pong: pass i writes `out` when (passes − 1 − i) is even, else the scratch buffer.
  const scratch = passes.length > 1 ? Tensor.empty(x.gpu, [x.size], 'FWHT scratch') : null;
  let src = x.buffer;
  passes.forEach((p, i) => {
    const last = i === passes.length - 1;
    const dst = (passes.length - 1 - i) % 2 === 0 || !scratch ? out.buffer : scratch.buffer;
    const groups = variant === 'workgroup' ? Math.ceil(x.size / FWHT_TILE) : Math.ceil(x.size / p.g / 256);
    x.gpu.dispatch(
      fwhtKernel(variant),
      { x: src, out: dst },
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
    src = dst;
  });
  scratch?.dispose();
  return record(out, [x], (g) => [fwht(g, { normalised, variant })]);
}
