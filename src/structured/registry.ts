/**
 * The family registry (engine side): every family's GPU-free metadata (./specs.ts, from the
 * <family>.spec.ts files) plus its project() and random(), keyed by name and typed per family.
 * Experiments, benchmarks and the worker look families up here; config validation and the UI use
 * ./specs.ts alone.
 */
import type { Tensor } from '../tensor/tensor';
import { blockdiagFamily } from './blockdiag';
import { denseSparseFamily } from './dense-sparse';
import { fwsvdFamily } from './fwsvd';
import { kroneckerFamily } from './kronecker';
import { lowrankFamily } from './lowrank';
import { monarchFamily } from './monarch';
import { nmSparseFamily } from './nm-sparse';
import { orthoprojFamily } from './orthoproj';
import { sparseFamily } from './sparse';
import { sparseLowRankFamily } from './sparse-lowrank';
import type { FamilyName, FamilySpec, SpecOf } from './specs';
import type { FamilyMeta, ProjectOptions, StructuredMatrix } from './types';

export interface FamilyDef<F extends FamilyName = FamilyName> extends Omit<FamilyMeta<SpecOf<F>>, 'name'> {
  name: F;
  /** Best (or documented) approximation of W [rows, cols] in this family. */
  project(W: Tensor, spec: SpecOf<F>, opts?: ProjectOptions): Promise<StructuredMatrix>;
  /** A random member (for benchmarks and tests), seeded. */
  random(
    gpu: Tensor['gpu'],
    rows: number,
    cols: number,
    spec: SpecOf<F>,
    opts: Required<ProjectOptions>,
  ): StructuredMatrix;
}

/** Every family, keyed by name: a family missing here (or spelled differently) is a type error. */
export const FAMILIES: { [F in FamilyName]: FamilyDef<F> } = {
  lowrank: lowrankFamily,
  blockdiag: blockdiagFamily,
  monarch: monarchFamily,
  sparse: sparseFamily,
  'nm-sparse': nmSparseFamily,
  'sparse+lowrank': sparseLowRankFamily,
  kronecker: kroneckerFamily,
  orthoproj: orthoprojFamily,
  fwsvd: fwsvdFamily,
  'dense-sparse': denseSparseFamily,
};

export function getFamily<F extends FamilyName>(name: F): FamilyDef<F> {
  const f = FAMILIES[name] as FamilyDef<F> | undefined;
  if (!f) throw new Error(`unknown structured family '${name}' (known: ${Object.keys(FAMILIES).join(', ')})`);
  return f;
}

export function registeredFamilies(): FamilyDef[] {
  return Object.values(FAMILIES) as FamilyDef[];
}

/** The family of any spec; its project/random/validate take that spec without a cast. */
export function familyOf(spec: FamilySpec): FamilyDef {
  return getFamily(spec.family);
}
