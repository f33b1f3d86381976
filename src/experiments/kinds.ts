/**
 * Every experiment kind with its run() (engine side): the list the runner, the worker and the CLI
 * use. The UI and config validation use ./kind-schemas.ts, which never loads the engine.
 *
 * Adding a kind `foo`:
 *   1. src/experiments/foo.schema.ts — `export const fooSchema = defineKindSchema({ kind: 'foo',
 *      title, config: configSchema('foo', {...}), summary, timingFields, timingSeries, check? })`.
 *      Imports only zod, envelope.ts, other *.schema.ts, src/data/sources.schema.ts and
 *      src/structured/specs.ts (spec schemas, labels, validateSpec) — never src/gpu, src/tensor, a
 *      family implementation or a shader (tests/unit/bundle-boundary.test.ts fails otherwise).
 *   2. src/experiments/foo.ts — `export const foo = defineExperiment({ ...fooSchema,
 *      async *run(config, ctx) {...} })`.
 *   3. Add fooSchema to KIND_SCHEMAS (./kind-schemas.ts) and foo to KINDS below, in the same place:
 *      a kind in one list and not the other is a type error here, and contract.test.ts checks both
 *      lists hold the same schemas in the same order.
 *   4. `npx tsx scripts/gen-schemas.ts` (public/schema), a preset in public/experiments/ (+ its
 *      index.json), the contract in docs/experiments.md, a panel in src/ui/panels/.
 */
import { approximation } from './approximation';
import { binding } from './binding';
import { compression } from './compression';
import type { ExperimentDef } from './envelope';
import { finetune } from './finetune';
import type { KindName } from './kind-schemas';
import { kvProjectionKind } from './kv-projection';
import { pretrain } from './pretrain';
import { sketch } from './sketch';
import { sparseAttentionKind } from './sparse-attention';
import { spectrum } from './spectrum';
import { speedup } from './speedup';

export const KINDS = [
  approximation,
  spectrum,
  speedup,
  sketch,
  binding,
  pretrain,
  finetune,
  compression,
  sparseAttentionKind,
  kvProjectionKind,
] as const;

export type AnyExperiment = ExperimentDef<unknown, unknown>;

type EngineKind = (typeof KINDS)[number]['kind'];
/** Compile-time check that KINDS and KIND_SCHEMAS name the same kinds. */
export const KINDS_MATCH_SCHEMAS: [Exclude<KindName, EngineKind>, Exclude<EngineKind, KindName>] extends [
  never,
  never,
]
  ? true
  : { error: 'KINDS (./kinds.ts) and KIND_SCHEMAS (./kind-schemas.ts) must list the same kinds' } = true;

/** The engine definition of a kind (config already validated by parseConfig). */
export function engineKind(kind: string): AnyExperiment {
  const def = (KINDS as readonly unknown[] as AnyExperiment[]).find((k) => k.kind === kind);
  if (!def) throw new Error(`no engine for kind '${kind}' (known: ${KINDS.map((k) => k.kind).join(', ')})`);
  return def;
}
