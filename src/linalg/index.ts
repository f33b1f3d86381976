/** Linear algebra for the structured families and experiments (see docs/linalg.md). */
export { benchRsvdVsJacobi, type RsvdBenchOptions, type RsvdBenchResult } from './bench';
export { type EighOptions, type EighResult, eigh } from './eigh';
export {
  normaliseSigns,
  type SvdResult,
  svdJacobi,
  svdReconstruct,
  takeColumns,
  truncatedSvdCpu,
} from './jacobi';
export {
  type NewtonSchulzOptions,
  NS_COEFFS,
  NS_EPS,
  NS_STEPS,
  newtonSchulz5,
  nsPolynomial,
} from './newton-schulz';
export {
  type NystromOptions,
  type NystromResult,
  type NystromSketch,
  nystrom,
  sampleColumns,
} from './nystrom';
export { matrixWithSpectrum, randomOrthogonal, randomOrthonormal } from './orthogonal';
export {
  choleskyUpper,
  invUpper,
  type QrGpuOptions,
  type QrGpuResult,
  type QrResult,
  qrCpu,
  qrGpu,
} from './qr';
export {
  AUTO_EXACT_MAX,
  type GpuSvd,
  type RandomizedSvdOptions,
  randomizedSvd,
  type SvdMethod,
  type TruncatedSvdOptions,
  truncatedSvd,
} from './rsvd';
