/**
 * Dropout from a seeded counter-based GPU RNG (Philox4x32-10, shaders/dropout.wgsl): no state,
 * no RNG buffer; the mask is a pure function of (seed, offset, element index), so the backward
 * regenerates it. Oracle: src/reference/nn.ts dropoutMask / dropout.
 */
import dropoutSrc from '../../shaders/dropout.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { record } from './autograd';
import { Tensor } from './tensor';

export const dropoutKernel: Kernel = { name: 'dropout', code: dropoutSrc };

export interface DropoutOptions {
  /** 32-bit seed (the experiment's seed or one drawn from its Rng). */
  seed: number;
  /**
   * Philox counter offset (integer, < 2⁵³). Element i uses counter offset + ⌊i / 4⌋: give every
   * call of a step a disjoint range (e.g. advance by dropoutCounters(x.size) per call), and a new
   * range every step, or masks repeat.
   */
  offset?: number;
}

/** How many counters dropout uses for n elements (advance the offset by this much per call). */
export function dropoutCounters(n: number): number {
  return Math.ceil(n / 4);
}

/** Inverted dropout: each element kept with probability 1 − p and scaled by 1/(1 − p). */
export function dropout(x: Tensor, p: number, opts: DropoutOptions): Tensor {
  const { seed, offset = 0 } = opts;
  if (x.dtype !== 'f32') throw new ShapeError(`dropout takes an f32 tensor, got ${x.dtype}`);
  if (!(p >= 0 && p < 1)) throw new ShapeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new ShapeError(`dropout: seed must be an integer in [0, 2³²), got ${seed}`);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new ShapeError(`dropout: offset must be a non-negative safe integer, got ${offset}`);
  const u = {
    n: x.size,
    seed,
    offsetLo: offset % 2 ** 32,
    offsetHi: Math.floor(offset / 2 ** 32),
    threshold: Math.ceil(p * 2 ** 24),
    scale: 1 / (1 - p),
  };
  const run = (src: Tensor, what: string): Tensor => {
    const out = Tensor.empty(x.gpu, x.shape, what);
    x.gpu.dispatch(
      dropoutKernel,
      { x: src.buffer, out: out.buffer },
      u,
      x.gpu.grid1d(Math.ceil(dropoutCounters(x.size) / 256)),
    );
    return out;
  };
  return record(run(x, 'A dropout result'), [x], (g) => [run(g, 'A dropout gradient')]);
}
