/**
 * The bench runner on real WebGPU (Dawn): a bench whose setup fails keeps the WebGPU errors it left
 * behind, and the next bench of the case starts clean and is timed.
 */
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { registerBench, runBenches } from './registry';

describe('runBenches', () => {
  it('a failed setup keeps its late WebGPU errors; the next bench is timed', async () => {
    const gpu = await getGpu();
    registerBench({
      group: 'registry-test',
      name: 'leaves an error',
      shape: '1',
      flops: 1,
      setup() {
        // MAP_READ with STORAGE is invalid: a validation error reported asynchronously.
        gpu.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
        throw new Error('setup gave up');
      },
    });
    registerBench({
      group: 'registry-test',
      name: 'clean',
      shape: '1',
      flops: 1,
      setup: () => ({ run: () => {}, dispose: () => {} }),
    });
    const results = await runBenches(gpu, { filter: ['registry-test'], rounds: 2, sampleMs: 1 });
    const failed = results.find((r) => r.name === 'leaves an error');
    const clean = results.find((r) => r.name === 'clean');
    expect(failed?.error).toMatch(/^setup gave up \(then: WebGPU reported: .+\)$/s);
    expect(clean?.error).toBeUndefined();
    expect(clean?.samplesMs).toHaveLength(2);
  });
});
