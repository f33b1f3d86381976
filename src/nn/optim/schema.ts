/** Optimizer and schedule specs as configs name them (zod only: experiment schemas import this). */
import { z } from 'zod';

const lr = z.number().gt(0).max(10);
const beta = z.number().min(0).lt(1);
const wd = z.number().min(0).max(1);

export const AdamWSpec = z.object({
  name: z.literal('adamw'),
  lr: lr.default(3e-3),
  beta1: beta.default(0.9),
  beta2: beta.default(0.95),
  eps: z.number().gt(0).default(1e-8),
  /** Decoupled decay, applied to weights of rank ≥ 2 only (nanoGPT's groups: not biases, gains). */
  weightDecay: wd.default(0.1),
});

export const SgdSpec = z.object({
  name: z.literal('sgd'),
  lr: lr.default(0.1),
  momentum: beta.default(0.9),
  nesterov: z.boolean().default(false),
  weightDecay: wd.default(0),
});

const hybrid = {
  momentum: beta.default(0.95),
  nesterov: z.boolean().default(true),
  weightDecay: wd.default(0),
  /** The AdamW group (embeddings, head, norms, biases, non-2-D structured factors). */
  adamLr: lr.default(3e-3),
  adamBeta1: beta.default(0.9),
  adamBeta2: beta.default(0.95),
  adamWeightDecay: wd.default(0),
};

export const MuonSpec = z.object({ name: z.literal('muon'), lr: lr.default(0.02), ...hybrid });
export const AuonSpec = z.object({ name: z.literal('auon'), lr: lr.default(0.08), ...hybrid });

export const OptimizerSpec = z.discriminatedUnion('name', [AdamWSpec, SgdSpec, MuonSpec, AuonSpec]);
export type OptimizerSpec = z.infer<typeof OptimizerSpec>;
export type OptimizerName = OptimizerSpec['name'];

export const ScheduleSpec = z.object({
  /** Linear warm-up over this many steps (lr factor (t + 1) / warmup). */
  warmup: z.number().int().min(0).default(0),
  /** After warm-up: cosine decay to minRatio·lr at the last step, or constant. */
  decay: z.enum(['cosine', 'constant']).default('cosine'),
  minRatio: z.number().min(0).max(1).default(0.1),
});
export type ScheduleSpec = z.infer<typeof ScheduleSpec>;
