/**
 * Block-diagonal family, GPU-free part: the spec schema, words for the UI, shape checks and
 * parameter count (src/structured/blockdiag.ts adds projection and apply).
 */
import { z } from 'zod';
import { type FamilyMeta, SpecError } from './types';

export const BlockDiagSpec = z.strictObject({
  family: z.literal('blockdiag'),
  blocks: z.number().int().min(1),
});
export type BlockDiagSpec = z.infer<typeof BlockDiagSpec>;

function validate(spec: BlockDiagSpec, rows: number, cols: number): void {
  const b = spec.blocks;
  if (!Number.isInteger(b) || b < 1)
    throw new SpecError('blocks', `blocks must be a positive integer, got ${b}`);
  if (rows % b !== 0 || cols % b !== 0)
    throw new SpecError(
      'blocks',
      `blocks = ${b} must divide both sides of the ${rows} × ${cols} matrix` +
        ` (${rows % b !== 0 ? `rows ${rows}` : `cols ${cols}`} is not a multiple of ${b})`,
    );
}

export const blockdiagMeta: FamilyMeta<BlockDiagSpec> = {
  name: 'blockdiag',
  label: (spec) => `Block-diagonal (${spec.blocks} blocks)`,
  about:
    'A block-diagonal matrix keeps only b square-ish blocks on the diagonal: input slice g feeds only ' +
    'output slice g, so nothing mixes between groups. It stores and multiplies 1/b of a dense matrix, ' +
    'and the best approximation of any W simply keeps its diagonal blocks (the error is exactly the mass ' +
    'outside them). It is the building block of Monarch matrices, which recover mixing by interleaving ' +
    'two block-diagonal factors with a permutation.',
  paper: {
    title:
      'Monarch: Expressive Structured Matrices for Efficient and Accurate Training (block-diagonal factors)',
    url: 'https://arxiv.org/abs/2204.00595',
  },
  validate,
  paramCount: (spec, rows, cols) => (rows * cols) / spec.blocks,
};
