/**
 * The WGSL kernels the tensor ops dispatch, with their variants. Every variant is a pipeline-cache
 * key (name + entry + override constants), so one pipeline serves all shapes (shapes are uniforms).
 */

import elementwiseSrc from '../../shaders/elementwise.wgsl?raw';
import reduceSrc from '../../shaders/reduce.wgsl?raw';
import softmaxSrc from '../../shaders/softmax.wgsl?raw';
import transposeSrc from '../../shaders/transpose.wgsl?raw';
import type { Gpu, Kernel } from '../gpu/device';
import { GEMM, gemmKernelsFor, gemmPlanFor } from './gemm-plan';

export const UNARY = {
  copy: 0,
  relu: 1,
  gelu: 2,
  tanh: 3,
  exp: 4,
  neg: 5,
  abs: 6,
  square: 7,
  sqrt: 8,
  fill: 9,
} as const;
export const BINARY = {
  axpby: 0,
  mul: 1,
  div: 2,
  reluGrad: 3,
  geluGrad: 4,
  tanhGrad: 5,
  absGrad: 6,
  eq: 7,
} as const;
export const REDUCE = { sum: 0, max: 1, sumsq: 2, sumabs: 3, maxabs: 4, min: 5 } as const;
export type UnaryOp = keyof typeof UNARY;
export type BinaryOp = keyof typeof BINARY;
export type ReduceOp = keyof typeof REDUCE;

export interface GemmPlan {
  kernel: Kernel;
  workgroups: [number, number, number];
}

/**
 * Choose the GEMM variant and grid for C (M×N) = op(A)·op(B), K inner, `batch` products: vec4
 * kernels for aligned shapes, split-K for small outputs on GPUs, the general kernel otherwise
 * (src/tensor/gemm-plan.ts; the device's profile picks the CPU- or GPU-shaped family, a test or
 * bench may force one with gpu.variants.force(GEMM, variant)).
 */
export function gemmPlan(
  gpu: Gpu,
  M: number,
  N: number,
  K: number,
  batch: number,
  transA: boolean,
  transB: boolean,
): GemmPlan {
  const variant = gpu.variants.choose(GEMM, { M, N, K, batch, transA, transB });
  return gemmPlanFor(variant, M, N, batch, transA, transB, gpu.variants.profile);
}

export const unaryKernel = (op: UnaryOp): Kernel => ({
  name: 'elementwise',
  code: elementwiseSrc,
  entry: 'unary',
  constants: { OP: UNARY[op] },
});

export const binaryKernel = (op: BinaryOp): Kernel => ({
  name: 'elementwise',
  code: elementwiseSrc,
  entry: 'binary',
  constants: { OP: BINARY[op] },
});

/** In place: out = alpha·out + beta·y. */
export const updateKernel: Kernel = { name: 'elementwise', code: elementwiseSrc, entry: 'update' };
/** In place: out = alpha. */
export const fillKernel: Kernel = { name: 'elementwise', code: elementwiseSrc, entry: 'fill' };

export const reduceKernel = (op: ReduceOp, rows: boolean, sqrt: boolean): Kernel => ({
  name: 'reduce',
  code: reduceSrc,
  entry: rows ? 'rows' : 'cols',
  constants: { OP: REDUCE[op], SQRT: sqrt },
});

export const softmaxKernel = (backward: boolean): Kernel => ({
  name: 'softmax',
  code: softmaxSrc,
  entry: backward ? 'backward' : 'forward',
});

export const transposeKernel: Kernel = { name: 'transpose', code: transposeSrc };

/** The kernels worth compiling ahead of first use (the app warms these up asynchronously). */
export function commonKernels(gpu: Gpu): Kernel[] {
  const ks: Kernel[] = [...gemmKernelsFor(gpu.variants.profile)];
  for (const op of Object.keys(UNARY) as UnaryOp[]) ks.push(unaryKernel(op));
  for (const op of Object.keys(BINARY) as BinaryOp[]) ks.push(binaryKernel(op));
  for (const op of Object.keys(REDUCE) as ReduceOp[]) {
    ks.push(reduceKernel(op, true, false), reduceKernel(op, false, false));
  }
  ks.push(reduceKernel('sumsq', true, true), reduceKernel('sumsq', false, true));
  ks.push(softmaxKernel(false), softmaxKernel(true), transposeKernel, updateKernel, fillKernel);
  return ks;
}
