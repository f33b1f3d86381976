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

/**
 * TF.js's WebGPU matmul programs (tfjs-backend-webgpu 4.22, src/webgpu_util.ts MatMulProgramType,
 * chosen per call from the flag WEBGPU_MATMUL_PROGRAM_TYPE; -1 lets TF.js pick by shape, which is the
 * packed 32×32-tile program (type 3) for every shape here but 1×1024·1024×1024, where it picks the
 * small-output one). Every bench times TF.js under each and takes the fastest per shape as the rival:
 * the packed and small-output programs stage tiles in workgroup memory behind workgroupBarrier(),
 * which SwiftShader runs as CPU thread barriers; split-K has no barrier (it accumulates with atomics).
 * The reduce program (type 0, one workgroup per output entry) is left out: TF.js itself uses it only
 * for outputs of ≤ 128 entries. Forcing packed (3) is the default's own choice here, so not run twice.
 */
export const TF_MATMUL_PROGRAMS = [
  { name: 'tfjs', type: -1, note: 'default: TF.js picks, packed here' },
  { name: 'tfjs-small', type: 2, note: 'MatMulSmallOutputSizeProgram' },
  { name: 'tfjs-splitK', type: 1, note: 'MatMulSplitKProgram, barrier-free' },
] as const;

export const TF_NAMES: string[] = TF_MATMUL_PROGRAMS.map((p) => p.name);

/** tf.matMul under one program type (the flag is read per call; restored after). */
export function tfMatMul(
  type: number,
  a: tf.Tensor,
  b: tf.Tensor,
  transA: boolean,
  transB: boolean,
): tf.Tensor {
  const prev = tf.env().getNumber('WEBGPU_MATMUL_PROGRAM_TYPE');
  tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', type);
  try {
    return tf.matMul(a, b, transA, transB);
  } finally {
    tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', prev);
  }
}

/**
 * Sampled entries of op(A)·op(B) from TF.js against f64 dot products (A, B row-major as given):
 * resolves to max |got − want| / (1 + max |want|) over 64 entries, throws above 1e-4·√K.
 */
export async function checkTfMatMul(
  got: tf.Tensor,
  a: Float32Array,
  b: Float32Array,
  dims: { M: number; K: number; N: number; transA: boolean; transB: boolean },
  pick: (n: number) => number,
): Promise<number> {
  const { M, K, N, transA, transB } = dims;
  const out = (await got.data()) as Float32Array;
  got.dispose();
  let err = 0;
  let scale = 0;
  for (let s = 0; s < 64; s++) {
    const m = pick(M);
    const n = pick(N);
    let v = 0;
    for (let k = 0; k < K; k++) v += a[transA ? k * M + m : m * K + k] * b[transB ? n * K + k : k * N + n];
    err = Math.max(err, Math.abs(out[m * N + n] - v));
    scale = Math.max(scale, Math.abs(v));
  }
  const rel = err / (1 + scale);
  if (!(rel <= 1e-4 * Math.sqrt(K))) throw new Error(`TF.js result off: max error ${rel.toExponential(2)}`);
  return rel;
}
