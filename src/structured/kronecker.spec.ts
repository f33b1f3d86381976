/**
 * Kronecker-sum family, GPU-free part: the spec schema, the factor shapes a spec gives, words for
 * the UI, shape checks and parameter count (src/structured/kronecker.ts adds projection and apply).
 */
import { z } from 'zod';
import { type FamilyMeta, SpecError } from './types';

const posInt = z.number().int().min(1);

export const KroneckerSpec = z.strictObject({
  family: z.literal('kronecker'),
  /** PHM n: W ≈ Σ_{i<terms} A_i ⊗ B_i. */
  terms: posInt,
  /** Size of each A_i: a number p for p × p, or [p, q]; default: terms × terms (Compacter's PHM). */
  factor: z.union([posInt, z.tuple([posInt, posInt])]).optional(),
});
export type KroneckerSpec = z.infer<typeof KroneckerSpec>;

/** W [p·r, q·s] = Σ_{i<n} A_i ⊗ B_i, A_i [p, q], B_i [r, s]. */
export interface KronShape {
  n: number;
  p: number;
  q: number;
  r: number;
  s: number;
}

/** Factor shapes of a spec for a rows × cols matrix; throws SpecError naming the field. */
export function kronShapeOf(spec: KroneckerSpec, rows: number, cols: number): KronShape {
  const n = spec.terms;
  if (!Number.isInteger(n) || n < 1)
    throw new SpecError('terms', `terms must be a positive integer, got ${n}`);
  const f = spec.factor ?? n;
  const [p, q] = Array.isArray(f) ? f : [f, f];
  for (const v of [p, q])
    if (!Number.isInteger(v) || v < 1)
      throw new SpecError('factor', `factor sizes must be positive integers, got ${JSON.stringify(f)}`);
  const what =
    spec.factor === undefined ? `terms = ${n} (the default A_i is terms × terms)` : `factor ${p} × ${q}`;
  const field = spec.factor === undefined ? 'terms' : 'factor';
  if (rows % p !== 0)
    throw new SpecError(field, `${what}: A_i's ${p} rows must divide the matrix's rows = ${rows}`);
  if (cols % q !== 0)
    throw new SpecError(field, `${what}: A_i's ${q} columns must divide the matrix's cols = ${cols}`);
  return { n, p, q, r: rows / p, s: cols / q };
}

export const kroneckerMeta: FamilyMeta<KroneckerSpec> = {
  name: 'kronecker',
  label: (spec) =>
    `Kronecker sum (${spec.terms} term${spec.terms === 1 ? '' : 's'}${
      spec.factor === undefined
        ? ''
        : `, A ${Array.isArray(spec.factor) ? spec.factor.join('×') : `${spec.factor}×${spec.factor}`}`
    })`,
  about:
    'A Kronecker sum W = Σ A_i ⊗ B_i tiles W with scaled copies of small matrices: block (a, c) of W is ' +
    'Σ_i A_i[a, c]·B_i. Compacter’s parameterized hypercomplex multiplication (PHM) layers use it with n ' +
    'terms and n × n matrices A_i, storing about 1/n of the parameters of a dense layer. It applies without ' +
    'forming W (reshape each input to a small matrix, two small products, reshape back), and the nearest ' +
    'n-term Kronecker sum to any W has a closed form: rearrange W so that each A_i ⊗ B_i becomes a rank-1 ' +
    'matrix vec(A_i)·vec(B_i)ᵀ (Van Loan–Pitsianis) and keep the top n singular triplets.',
  paper: {
    title: 'Compacter: Efficient Low-Rank Hypercomplex Adapter Layers',
    url: 'https://arxiv.org/abs/2106.04647',
  },
  validate: (spec, rows, cols) => {
    kronShapeOf(spec, rows, cols);
  },
  paramCount: (spec, rows, cols) => {
    const { n, p, q, r, s } = kronShapeOf(spec, rows, cols);
    return n * (p * q + r * s);
  },
};
