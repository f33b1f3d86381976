/**
 * Every experiment kind's schema half, in menu order: the list config validation (./schema.ts),
 * the UI and scripts/gen-schemas.ts use. GPU-free: importing this loads zod and the spec schemas
 * only, never the engine. The engine list (with run()) is ./kinds.ts; how to add a kind is there.
 */
import { approximationSchema } from './approximation.schema';
import { bindingSchema } from './binding.schema';
import { compressionSchema } from './compression.schema';
import type { KindSchema } from './envelope';
import { finetuneSchema } from './finetune.schema';
import { kvProjectionSchema } from './kv-projection.schema';
import { pretrainSchema } from './pretrain.schema';
import { sketchSchema } from './sketch.schema';
import { sparseAttentionSchema } from './sparse-attention.schema';
import { spectrumSchema } from './spectrum.schema';
import { speedupSchema } from './speedup.schema';

export const KIND_SCHEMAS = [
  approximationSchema,
  spectrumSchema,
  speedupSchema,
  sketchSchema,
  bindingSchema,
  pretrainSchema,
  finetuneSchema,
  compressionSchema,
  sparseAttentionSchema,
  kvProjectionSchema,
] as const;

export type KindName = (typeof KIND_SCHEMAS)[number]['kind'];

export type AnyKindSchema = KindSchema<unknown, unknown>;
