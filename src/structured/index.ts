/**
 * The structured families (engine side). Import from here or ./registry to look families up
 * (getFamily('monarch'), familyOf(spec)); the GPU-free part (spec schemas, labels, checks) is
 * ./specs.ts.
 */
import type { Kernel } from '../gpu/device';
import { blockKernels } from '../ops/blockdiag-matmul';
import { sparseKernels } from '../ops/sparse-apply';
import { denseSparseKernels } from './dense-sparse';
import { kroneckerKernels } from './kronecker';
import { nmKernels } from './nm-sparse';

/** Every family's own WGSL pipelines, for Gpu.precompile ahead of first use (low-rank families use GEMM). */
export function familyKernels(): Kernel[] {
  return [
    ...blockKernels(),
    ...kroneckerKernels(),
    ...sparseKernels(),
    ...nmKernels(),
    ...denseSparseKernels(),
  ];
}

export { FAMILIES, type FamilyDef, familyOf, getFamily, registeredFamilies } from './registry';
export type { FamilyName, FamilySpec } from './specs';
export { FAMILY_NAMES } from './specs';
export type { ProjectOptions, StructuredMatrix } from './types';
export { SpecError } from './types';
