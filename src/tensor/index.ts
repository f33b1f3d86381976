export {
  axpbyInPlace,
  backward,
  fillInPlace,
  gradEnabled,
  needsGrad,
  noGrad,
  record,
  zeroGrad,
} from './autograd';
export { type DropoutOptions, dropout, dropoutCounters } from './dropout';
export { embedding } from './embedding';
export { type CrossEntropyOptions, crossEntropy } from './loss';
export { causalMask, where } from './mask';
export { layerNorm, type NormOptions, rmsNorm } from './norm';
export * from './ops';
export { Rng } from './rng';
export { concat, permute, slice, split } from './shape-ops';
export { type BackwardFn, checkShape, type DType, Tensor, tidy } from './tensor';
export { trainingKernels } from './training-kernels';
