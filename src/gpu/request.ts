/**
 * Asking WebGPU for an adapter and a device with the limits and features the engine needs. Its own
 * small module so that the worker can send the request the moment it boots (worker-main.ts), while
 * the engine's chunks still load: in Chromium a worker's adapter request goes through the page's
 * main thread, which is free then and busy with Plotly soon after.
 */
import { WebGPUUnavailableError } from './errors';

export interface DeviceOptions {
  /** The WebGPU entry point; defaults to navigator.gpu. In Node pass the `webgpu` package's GPU. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /** Ask for timestamp queries when the adapter has them (default true). */
  timestamps?: boolean;
  /** Told when the adapter and the device exist and when the first pipeline is compiled (cold-start marks). */
  onPhase?: (phase: 'adapter' | 'device' | 'first-pipeline') => void;
}

/** Gpu.create's options: a device request, or one already sent (`requested`, used once). */
export interface GpuOptions extends DeviceOptions {
  requested?: Promise<RequestedDevice>;
}

export interface RequestedDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
}

const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/** An adapter and a device; WebGPUUnavailableError, saying what to do, where there is neither. */
export async function requestDevice(options: DeviceOptions = {}): Promise<RequestedDevice> {
  const gpu = options.gpu ?? (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw new WebGPUUnavailableError(
      'WebGPU is not available here (navigator.gpu is missing). Use a recent Chrome, Edge or Firefox ' +
        'with WebGPU enabled (chrome://flags/#enable-unsafe-webgpu on Linux), over https or localhost.',
    );
  }
  const adapter = await gpu.requestAdapter({
    powerPreference: options.powerPreference ?? 'high-performance',
  });
  if (adapter) options.onPhase?.('adapter');
  if (!adapter) {
    throw new WebGPUUnavailableError(
      'WebGPU is present but no GPU adapter was found. On Linux start Chrome with --enable-unsafe-webgpu ' +
        '(headless: also --use-webgpu-adapter=swiftshader); check chrome://gpu.',
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if (options.timestamps !== false && adapter.features.has('timestamp-query'))
    requiredFeatures.push('timestamp-query');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'smx' });
  } catch (e) {
    throw new WebGPUUnavailableError(`The GPU adapter refused to create a device: ${(e as Error).message}`);
  }
  options.onPhase?.('device');
  return { adapter, device };
}
