export * from './ops';
export { Rng } from './rng';
export { checkShape, Tensor, tidy } from './tensor';
