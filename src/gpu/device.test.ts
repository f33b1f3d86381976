/** Device loss on real WebGPU (Dawn): typed errors, never a raw AbortError; a new device works. */
import { describe, expect, it } from 'vitest';
import { createNodeGpu } from '../runtime/node-gpu';
import { matmul } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';
import { DeviceLostError } from './errors';

describe('device loss', () => {
  it('a read pending when the device is destroyed rejects with DeviceLostError; recreate() works', async () => {
    const gpu = await createNodeGpu();
    const seen: DeviceLostError[] = [];
    gpu.onLost((e) => seen.push(e));
    const a = Tensor.full(gpu, [64, 64], 1);
    const pending = matmul(a, a).read();
    gpu.destroy();
    await expect(pending).rejects.toBeInstanceOf(DeviceLostError);
    expect(gpu.lost).toBe(true);
    expect(seen).toHaveLength(1);
    expect(() => Tensor.zeros(gpu, [2])).toThrow(DeviceLostError);
    expect(() => a.buffer).toThrow(/device was lost/);
    const fresh = await gpu.recreate();
    expect(await Tensor.full(fresh, [3], 2).read()).toEqual(new Float32Array([2, 2, 2]));
    fresh.destroy();
  });
});
