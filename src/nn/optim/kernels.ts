/** The fused update kernels of shaders/optim.wgsl (one entry per rule step). */
import optimSrc from '../../../shaders/optim.wgsl?raw';
import type { BufferBinding, Kernel } from '../../gpu/device';
import type { Tensor } from '../../tensor/tensor';

export type OptimEntry = 'adamw' | 'sgd' | 'momentum' | 'apply' | 'coshsq' | 'auon';

export const optimKernel = (entry: OptimEntry): Kernel => ({ name: 'optim', code: optimSrc, entry });

export function optimKernels(): Kernel[] {
  return (['adamw', 'sgd', 'momentum', 'apply', 'coshsq', 'auon'] as const).map(optimKernel);
}

export interface OptimUniforms {
  lr?: number;
  wd?: number;
  gscale?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  bc1?: number;
  bc2?: number;
  scale?: number;
  nesterov?: boolean;
}

/**
 * One elementwise dispatch over `t`'s elements (t is the parameter). An entry that binds `p`
 * writes the parameter in place, so t's version is bumped as every in-place write does: a graph
 * recorded before the step refuses backward() instead of using the updated values.
 */
export function dispatchOptim(
  entry: OptimEntry,
  t: Tensor,
  buffers: Record<string, BufferBinding>,
  u: OptimUniforms,
): void {
  const gpu = t.gpu;
  gpu.dispatch(
    optimKernel(entry),
    buffers,
    {
      n: t.size,
      nesterov: u.nesterov ? 1 : 0,
      lr: u.lr ?? 0,
      wd: u.wd ?? 0,
      gscale: u.gscale ?? 1,
      beta1: u.beta1 ?? 0,
      beta2: u.beta2 ?? 0,
      eps: u.eps ?? 0,
      bc1: u.bc1 ?? 1,
      bc2: u.bc2 ?? 1,
      scale: u.scale ?? 1,
    },
    gpu.grid1d(Math.ceil(t.size / 256)),
  );
  if ('p' in buffers) {
    if (buffers.p !== t.buffer) throw new Error(`optim '${entry}': binding p must be the tensor t`);
    t.bumpVersion();
  }
}
