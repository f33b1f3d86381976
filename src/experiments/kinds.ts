/**
 * Every experiment kind, in menu order. Adding a kind: write src/experiments/<kind>.ts exporting
 * an ExperimentDef (see envelope.ts) and add it to this list; schemas, runner, worker, CLI and
 * the JSON Schemas pick it up from here.
 */
import { approximation } from './approximation';
import { binding } from './binding';
import type { ExperimentDef } from './envelope';
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
  sparseAttentionKind,
  kvProjectionKind,
] as const;

export type AnyExperiment = ExperimentDef<unknown, unknown>;
