/** Device loss on real WebGPU (Dawn): typed errors, never a raw AbortError; a new device works. */
import { describe, expect, it } from 'vitest';
import { createNodeGpu } from '../runtime/node-gpu';
import { matmul } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';
import type { Kernel } from './device';
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

describe('background compiles', () => {
  it('wait while foreground work is in flight, then compile the backlog one pipeline at a time', async () => {
    const gpu = await createNodeGpu();
    const kernel = (c: number): Kernel => ({
      name: `bg-test-${c}`,
      code: `@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(1) fn main() { y[0] = ${c}.0; }`,
    });
    let release = () => {};
    const busy = gpu.foreground(() => new Promise<void>((r) => (release = r)));
    const before = gpu.compiled;
    const done = gpu.compileInBackground([kernel(1), kernel(2), kernel(3)]);
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
    expect(gpu.compiled, 'nothing compiles while a request is served').toBe(before);
    expect(gpu.backgroundBacklog).toBe(3);
    release();
    await busy;
    await done;
    expect(gpu.backgroundBacklog).toBe(0);
    expect(gpu.compiled - before).toBe(3);
    // Compiled once: using a kernel after its background compile creates no new pipeline.
    gpu.pipeline(kernel(2));
    expect(gpu.compiled - before).toBe(3);
    gpu.destroy();
  });

  it('with quietMs, wait that long after the last foreground work before compiling', async () => {
    const gpu = await createNodeGpu();
    const kernel: Kernel = {
      name: 'bg-quiet-test',
      code: `@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(1) fn main() { y[0] = 7.0; }`,
    };
    await gpu.foreground(async () => {});
    const before = gpu.compiled;
    // A quiet period no test run reaches: nothing compiles however many tasks pass.
    const done = gpu.compileInBackground([kernel], { quietMs: 3_600_000 });
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
    expect(gpu.compiled, 'nothing compiles within the quiet period').toBe(before);
    expect(gpu.backgroundBacklog).toBe(1);
    // A later call sets quietMs anew; the waiting backlog then compiles.
    void gpu.compileInBackground([], { quietMs: 0 });
    await done;
    expect(gpu.compiled - before).toBe(1);
    gpu.destroy();
  });
});

describe('time() without timestamp queries', () => {
  it('starts the wall clock at the submit: nothing fn records is submitted while it records', async () => {
    const gpu = await createNodeGpu({ timestamps: false });
    expect(gpu.hasTimestamps).toBe(false);
    const a = Tensor.fromArray(gpu, new Float32Array(16).fill(1), [4, 4]);
    const queue = gpu.device.queue;
    const submit = queue.submit.bind(queue);
    let submits = 0;
    queue.submit = (buffers) => {
      submits++;
      submit(buffers);
    };
    let duringFn = -1;
    // More passes than one command buffer holds before an automatic submit (48).
    const t = await gpu.time(() => {
      for (let i = 0; i < 60; i++) matmul(a, a).dispose();
      duringFn = submits;
    });
    expect(duringFn).toBe(0);
    expect(submits).toBeGreaterThan(0);
    expect(t.method).toBe('wall-clock');
    expect(t.passes).toBe(60);
    expect(t.timedPasses).toBe(60);
    a.dispose();
    gpu.destroy();
  });
});

describe('GPU timing', () => {
  it('time(fn, { perPass: true }) gives each timed pass its kernel and its own time', async () => {
    const gpu = await createNodeGpu();
    const a = Tensor.full(gpu, [33, 17], 1);
    const t = await gpu.time(
      () => {
        matmul(a, a, { transB: true }).dispose();
        Tensor.full(gpu, [5], 2).dispose();
      },
      { perPass: true },
    );
    if (t.method === 'timestamp-query') {
      expect(t.perPass?.length).toBe(t.timedPasses);
      expect(t.perPass?.some((p) => p.kernel.startsWith('gemm'))).toBe(true);
      let sum = 0;
      for (const p of t.perPass ?? []) {
        expect(p.ms).toBeGreaterThanOrEqual(0);
        sum += p.ms;
      }
      // passes do not overlap: their times add up to at most the span
      expect(sum).toBeLessThanOrEqual(t.ms + 1e-6);
    } else expect(t.perPass).toBeUndefined();
    expect((await gpu.time(() => Tensor.full(gpu, [5], 2).dispose())).perPass).toBeUndefined();
    a.dispose();
    gpu.destroy();
  });
});
