/** The tiny transformer's architecture as configs name it (zod only; experiment schemas import it). */
import { z } from 'zod';
import { FamilySpec, specParamCount, validateSpec } from '../structured/specs';
import { SpecError } from '../structured/types';

export const MAX_CONTEXT = 256;
export const MAX_D_MODEL = 512;
export const MAX_LAYERS = 12;

export const LinearSpec = z.union([z.strictObject({ family: z.literal('dense') }), FamilySpec]);

/** A Linear's weight: dense, or a structured family's spec. */
export type WeightSpec = { family: 'dense' } | FamilySpec;

/** Stored numbers of a Linear's weight under a spec, without building it; NaN if the spec does not fit. */
export function weightParams(spec: WeightSpec, out: number, inp: number): number {
  if (spec.family === 'dense') return out * inp;
  try {
    validateSpec(spec, out, inp);
  } catch (e) {
    if (e instanceof SpecError) return Number.NaN;
    throw e;
  }
  return specParamCount(spec, out, inp);
}

export const TransformerSpec = z.strictObject({
  layers: z.number().int().min(1).max(MAX_LAYERS).default(2),
  dModel: z.number().int().min(2).max(MAX_D_MODEL).default(32),
  heads: z.number().int().min(1).max(64).default(2),
  context: z.number().int().min(2).max(MAX_CONTEXT).default(16),
  /** MLP in each block (d → 4d → d, GELU); false = the reduced "no MLP" form. */
  mlp: z.boolean().default(true),
  /** standard: W_q, W_k, W_v, W_o; collapsed: one W_qk and one W_vo (d × d) per head; symmetric: W_qk symmetric. */
  attention: z.enum(['standard', 'collapsed', 'symmetric']).default('standard'),
  tiedHead: z.boolean().default(true),
  norm: z.enum(['layernorm', 'rmsnorm']).default('layernorm'),
  bias: z.boolean().default(false),
  /** Factorised token embedding rank (OFA); absent = a full V × d table. */
  embedRank: z.number().int().min(1).optional(),
});
export type TransformerSpec = z.infer<typeof TransformerSpec>;
