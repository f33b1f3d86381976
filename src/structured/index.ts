/**
 * Every structured family, registered. Import this module (not the family files) to get a full
 * registry; getFamily('monarch') etc. then works.
 */
import type { Kernel } from '../gpu/device';
import { blockKernels } from './blockdiag';
import { denseSparseKernels } from './dense-sparse';
import './fwsvd';
import { kroneckerKernels } from './kronecker';
import './lowrank';
import './monarch';
import { nmKernels } from './nm-sparse';
import './orthoproj';
import { sparseKernels } from './sparse';
import './sparse-lowrank';

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

export { getFamily, registeredFamilies } from './registry';
export type { FamilyName, FamilySpec } from './specs';
export { FAMILY_NAMES } from './specs';
export type { ProjectOptions, StructuredMatrix } from './types';
export { SpecError } from './types';
