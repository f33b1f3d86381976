/**
 * What every front end does once it has a device: shape the GEMM for the adapter (CPU WebGPU and
 * real GPUs want different kernels) and compile the common and family pipelines ahead of first
 * use, asynchronously (compiling on first use would stall the first run by seconds).
 */
import type { Gpu } from '../gpu/device';
import { familyKernels } from '../structured/index';
import { gemmProfileFor, setGemmProfile } from '../tensor/gemm-plan';
import { commonKernels } from '../tensor/kernels';

export function tuneForAdapter(gpu: Gpu): void {
  setGemmProfile(gemmProfileFor(gpu.info));
}

export function warmUp(gpu: Gpu): Promise<void> {
  return gpu.precompile([...commonKernels(), ...familyKernels()]);
}
