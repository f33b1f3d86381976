/**
 * Spec schemas of every structured family: the names experiment configs use
 * ({"family": "monarch", "blocks": 16}). Unknown keys are errors (a typo like "rnak" must not
 * silently fall back to a default). Shape-dependent checks (blocks dividing n, rank ≤ min side) are
 * done by each family's validate(), which throws SpecError naming the field.
 */
import { z } from 'zod';

const posInt = z.number().int().min(1);
const density = z.number().gt(0).max(1);

export const LowRankSpec = z.strictObject({
  family: z.literal('lowrank'),
  rank: posInt,
  /** exact: Jacobi SVD on the CPU in f64; randomized: seeded Halko–Martinsson–Tropp; auto picks by size. */
  method: z.enum(['auto', 'exact', 'randomized']).default('auto'),
  oversample: z.number().int().min(0).default(10),
  niter: z.number().int().min(0).default(4),
});

export const BlockDiagSpec = z.strictObject({ family: z.literal('blockdiag'), blocks: posInt });

export const MonarchSpec = z.strictObject({
  family: z.literal('monarch'),
  /** m1, the number of blocks of the first factor R; default: the divisor of n closest to √n. */
  blocks: posInt.optional(),
});

export const SparseSpec = z.strictObject({ family: z.literal('sparse'), density });

export const NMSparseSpec = z.strictObject({
  family: z.literal('nm-sparse'),
  n: posInt.default(2),
  m: posInt.default(4),
});

export const SparseLowRankSpec = z.strictObject({
  family: z.literal('sparse+lowrank'),
  rank: posInt,
  density,
  rounds: z.number().int().min(1).default(5),
});

export const KroneckerSpec = z.strictObject({
  family: z.literal('kronecker'),
  /** PHM n: W ≈ Σ_{i<terms} A_i ⊗ B_i. */
  terms: posInt,
  /** Size of each A_i: a number p for p × p, or [p, q]; default: terms × terms (Compacter's PHM). */
  factor: z.union([posInt, z.tuple([posInt, posInt])]).optional(),
});

export const OrthoProjSpec = z.strictObject({ family: z.literal('orthoproj'), rank: posInt });

export const FwsvdSpec = z.strictObject({
  family: z.literal('fwsvd'),
  rank: posInt,
  /** One importance per input feature (Fisher information); default: all equal (plain truncated SVD). */
  importance: z
    .array(z.number().nonnegative())
    .optional()
    .describe(
      'One importance per input feature (column of W), e.g. the Fisher information: the mean squared ' +
        'gradient of the loss over the weights reading that feature. Default: none, so every feature ' +
        'counts the same and the result is exactly the truncated SVD, i.e. the same as lowrank at ' +
        'this rank (its label then says "unweighted = low rank").',
    ),
});

export const DenseSparseSpec = z.strictObject({
  family: z.literal('dense-sparse'),
  /** k, the inner size of W ≈ D·S (D out × k, S k × in). */
  rank: posInt,
  /** N:M pattern of S along its inputs (m ≤ 32). */
  n: posInt.default(2),
  m: posInt.default(4),
  /** Alternating least-squares rounds of the projection. */
  rounds: z.number().int().min(0).max(50).default(5),
});

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
