/** One real WebGPU device (Dawn on SwiftShader here) per test file. Never a mock. */
import type { Gpu } from '../../src/gpu/device';
import { createNodeGpu } from '../../src/runtime/node-gpu';

let gpu: Promise<Gpu> | null = null;

export function getGpu(): Promise<Gpu> {
  gpu ??= createNodeGpu();
  return gpu;
}

/** Random shapes with awkward sizes: 1, 3, 17, 65 and friends. */
export const AWKWARD = [1, 3, 5, 17, 33, 65];
