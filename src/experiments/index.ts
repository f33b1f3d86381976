/**
 * The experiments module: the kinds (./kinds.ts lists them), the contract's schemas and
 * validation (./schema.ts), and each kind's config type. The runner lives in src/runtime/runner.ts.
 */
export { type ApproximationConfig, type ApproximationSummary, approximation } from './approximation';
export { type BindingConfig, type BindingSummary, binding } from './binding';
export { type AnyExperiment, KINDS } from './kinds';
export { pretrain } from './pretrain';
export type { PretrainConfig, PretrainSummary } from './pretrain.schema';
export * from './schema';
export { type SketchConfig, type SketchSummary, sketch } from './sketch';
export { type SpectrumConfig, type SpectrumSummary, spectrum } from './spectrum';
export { type SpeedupConfig, type SpeedupSummary, speedup } from './speedup';
