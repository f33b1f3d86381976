/**
 * What every front end does once it has a device: shape the GEMM for the adapter (CPU WebGPU and
 * real GPUs want different kernels) and list the pipelines to compile ahead of first use. The
 * worker compiles them in the background one at a time, paused while a request is served
 * (Gpu.compileInBackground), so the first live figure never waits for the whole list.
 */
import type { Gpu, Kernel } from '../gpu/device';
import { profileFor } from '../gpu/variants';
import { familyKernels } from '../structured/index';
import { commonKernels } from '../tensor/kernels';

export function tuneForAdapter(gpu: Gpu): void {
  gpu.variants.profile = profileFor(gpu.info);
}

/**
 * Every common and family pipeline, cheapest and most used first: the shared ops and each family's
 * plain forward before the large register-tiled variants (blockdiag fast*) and the backward-only
 * kernels, which only training and the bigger products need.
 */
export function warmUpKernels(gpu: Gpu): Kernel[] {
  const all = [...commonKernels(gpu), ...familyKernels()];
  const late = (k: Kernel) => /^(fast|grad)/.test(k.entry ?? '');
  return [...all.filter((k) => !late(k)), ...all.filter(late)];
}

/** Compile every warm-up pipeline now, all at once (the CLI and tests; the worker uses the background). */
export function warmUp(gpu: Gpu): Promise<void> {
  return gpu.precompile(warmUpKernels(gpu));
}
