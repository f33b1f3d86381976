/**
 * WebGPU in Node through Dawn (the `webgpu` package). On machines without a GPU the project uses
 * the SwiftShader Vulkan driver that Debian's chromium ships; set SMX_VK_ICD to another ICD file,
 * or SMX_SYSTEM_VULKAN=1 to let Vulkan pick the system's real GPU.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gpu, type GpuOptions } from '../gpu/device';
import { WebGPUUnavailableError } from '../gpu/errors';
import { tuneForAdapter } from './setup';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export async function createNodeGpu(options: Omit<GpuOptions, 'gpu'> = {}): Promise<Gpu> {
  if (process.env.SMX_VK_ICD) process.env.VK_ICD_FILENAMES = process.env.SMX_VK_ICD;
  else if (!process.env.SMX_SYSTEM_VULKAN && !process.env.VK_ICD_FILENAMES) {
    if (!existsSync(SWIFTSHADER_ICD))
      throw new WebGPUUnavailableError(
        `No Vulkan driver for Dawn: ${SWIFTSHADER_ICD} is missing. Install it with ` +
          '`apt-get install -y chromium` (Debian), or set SMX_SYSTEM_VULKAN=1 on a machine with a GPU.',
      );
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  if (!process.env.XDG_RUNTIME_DIR) {
    // Dawn's Vulkan loader complains on every start without one; a private temp dir satisfies it.
    process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'smx-xdg-'));
  }
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  // Dawn rounds timestamps to multiples of 65.536 µs unless told not to (a precaution against
  // timing side channels in browsers): every GPU time here would otherwise be a multiple of it.
  const gpu = create(['disable-dawn-features=timestamp_quantization']);
  const g = await Gpu.create({ ...options, gpu });
  tuneForAdapter(g);
  return g;
}
