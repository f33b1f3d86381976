/**
 * Every structured family's spec schema and GPU-free metadata, collected from the
 * src/structured/<family>.spec.ts files: the names experiment configs use
 * ({"family": "monarch", "blocks": 16}; strict: an unknown key like "rnak" is an error, never a
 * silent default), labels, the UI's words, shape checks (validate() throws
 * SpecError naming the field) and parameter counts. Nothing here imports the GPU, tensors or any
 * family's implementation, so config validation and the UI can use it without loading the engine.
 *
 * Adding a family: write src/structured/<family>.spec.ts (zod spec + FamilyMeta), add it to
 * FamilySpec and FAMILY_META below, then src/structured/<family>.ts (project/random/apply) and add it
 * to FAMILIES in src/structured/registry.ts; the types make a missing entry a compile error.
 */
import { z } from 'zod';
import { BlockDiagSpec, blockdiagMeta } from './blockdiag.spec';
import { DenseSparseSpec, denseSparseMeta } from './dense-sparse.spec';
import { FwsvdSpec, fwsvdMeta } from './fwsvd.spec';
import { KroneckerSpec, kroneckerMeta } from './kronecker.spec';
import { LowRankSpec, lowrankMeta } from './lowrank.spec';
import { MonarchSpec, monarchMeta } from './monarch.spec';
import { NMSparseSpec, nmSparseMeta } from './nm-sparse.spec';
import { OrthoProjSpec, orthoprojMeta } from './orthoproj.spec';
import { SparseSpec, sparseMeta } from './sparse.spec';
import { SparseLowRankSpec, sparseLowRankMeta } from './sparse-lowrank.spec';
import type { FamilyMeta } from './types';

export {
  BlockDiagSpec,
  DenseSparseSpec,
  FwsvdSpec,
  KroneckerSpec,
  LowRankSpec,
  MonarchSpec,
  NMSparseSpec,
  OrthoProjSpec,
  SparseLowRankSpec,
  SparseSpec,
};

export const FamilySpec = z.discriminatedUnion('family', [
  LowRankSpec,
  BlockDiagSpec,
  MonarchSpec,
  SparseSpec,
  NMSparseSpec,
  SparseLowRankSpec,
  KroneckerSpec,
  OrthoProjSpec,
  FwsvdSpec,
  DenseSparseSpec,
]);

export type FamilySpec = z.infer<typeof FamilySpec>;
export type FamilyName = FamilySpec['family'];
export type SpecOf<F extends FamilyName> = Extract<FamilySpec, { family: F }>;
export const FAMILY_NAMES = FamilySpec.options.map((o) => o.shape.family.value) as FamilyName[];

/** Every family's metadata, keyed by name (in FamilySpec's order). */
export const FAMILY_META: { [F in FamilyName]: FamilyMeta<SpecOf<F>> } = {
  lowrank: lowrankMeta,
  blockdiag: blockdiagMeta,
  monarch: monarchMeta,
  sparse: sparseMeta,
  'nm-sparse': nmSparseMeta,
  'sparse+lowrank': sparseLowRankMeta,
  kronecker: kroneckerMeta,
  orthoproj: orthoprojMeta,
  fwsvd: fwsvdMeta,
  'dense-sparse': denseSparseMeta,
};

/** The metadata of a spec's family, typed by the spec (no cast at the call site). */
export function familyMeta<S extends FamilySpec>(spec: S): FamilyMeta<S> {
  return FAMILY_META[spec.family] as unknown as FamilyMeta<S>;
}

/** Label, checks and parameter count of any spec. */
export const specLabel = (spec: FamilySpec): string => familyMeta(spec).label(spec);
export const validateSpec = (spec: FamilySpec, rows: number, cols: number): void =>
  familyMeta(spec).validate(spec, rows, cols);
export const specParamCount = (spec: FamilySpec, rows: number, cols: number): number =>
  familyMeta(spec).paramCount(spec, rows, cols);
