/**
 * Family registry: each family file registers itself; experiments, benchmarks and the UI look
 * families up by name. src/structured/index.ts imports every family so the registry is full.
 */
import type { Tensor } from '../tensor/tensor';
import type { FamilyName, SpecOf } from './specs';
import type { ProjectOptions, StructuredMatrix } from './types';

export interface FamilyDef<F extends FamilyName = FamilyName> {
  name: F;
  /** One-line label for plots ("Monarch (m1 = 8)"). */
  label(spec: SpecOf<F>): string;
  /** One paragraph on what it is, for the UI. */
  about: string;
  paper: { title: string; url: string };
  /** Throw SpecError (naming the field) if the spec cannot describe a rows × cols matrix. */
  validate(spec: SpecOf<F>, rows: number, cols: number): void;
  /** Stored numbers for a rows × cols matrix under this spec (for budgets, before projecting). */
  paramCount(spec: SpecOf<F>, rows: number, cols: number): number;
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

const families = new Map<FamilyName, FamilyDef>();

export function registerFamily<F extends FamilyName>(def: FamilyDef<F>): void {
  families.set(def.name, def as unknown as FamilyDef);
}

export function getFamily<F extends FamilyName>(name: F): FamilyDef<F> {
  const f = families.get(name);
  if (!f) throw new Error(`unknown structured family '${name}' (known: ${[...families.keys()].join(', ')})`);
  return f as unknown as FamilyDef<F>;
}

export function registeredFamilies(): FamilyDef[] {
  return [...families.values()];
}
