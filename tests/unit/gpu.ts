/** One real WebGPU device (Dawn on SwiftShader here) per test file. Never a mock. */
import { expect } from 'vitest';
import type { Gpu } from '../../src/gpu/device';
import { createNodeGpu } from '../../src/runtime/node-gpu';
import { Tensor } from '../../src/tensor/tensor';

let gpu: Promise<Gpu> | null = null;

export function getGpu(): Promise<Gpu> {
  gpu ??= createNodeGpu();
  return gpu;
}

/** Random shapes with awkward sizes: 1, 3, 17, 65 and friends. */
export const AWKWARD = [1, 3, 5, 17, 33, 65];

/**
 * Memory stays flat: `round` once (warm-up: pipelines, pools), then `times` more, after which the
 * counts of live tensors and of pooled buffers in use are what they were after the first.
 */
export async function expectFlatCounts(gpu: Gpu, round: () => Promise<void>, times = 3): Promise<void> {
  await round();
  const live = Tensor.liveCount();
  const pool = gpu.pool.stats().live;
  for (let i = 0; i < times; i++) await round();
  expect(Tensor.liveCount()).toBe(live);
  expect(gpu.pool.stats().live).toBe(pool);
}
