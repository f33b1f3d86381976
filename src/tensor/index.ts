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
export { type CrossEntropyOptions, crossEntropy } from './loss';
export * from './ops';
export { Rng } from './rng';
export { type BackwardFn, checkShape, type DType, Tensor, tidy } from './tensor';
