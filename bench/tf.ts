/**
 * TensorFlow.js (WebGPU backend) on the SAME GPUDevice as our kernels, so peer and ours share the
 * adapter, the queue and the timing method.
 */

import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import type { Gpu } from '../src/gpu/device';

let backend: WebGPUBackend | null = null;

export async function initTf(gpu: Gpu): Promise<void> {
  if (backend) return;
  const b = new WebGPUBackend(gpu.device, (gpu.adapter as GPUAdapter & { info?: GPUAdapterInfo }).info);
  // TF.js's kernels are registered under the name 'webgpu': replace its factory (which would
  // create a second device) by one that returns our backend.
  tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => b, 10);
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start its WebGPU backend');
  await tf.ready();
  backend = b;
}

/** The TF.js backend (submitQueue() submits what TF.js recorded). */
export function tfBackend(): WebGPUBackend {
  if (!backend) throw new Error('TF.js is not initialised: call initTf(gpu) first');
  return backend;
}

/** Submit what TF.js has recorded (its own command encoder), as its readbacks do. */
export function tfSubmit(): void {
  const b = tfBackend();
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  b.submitQueue();
}

export { tf };
