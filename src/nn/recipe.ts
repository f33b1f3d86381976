/**
 * The recipe of the shipped base weights (public/models/<name>.safetensors + <name>.json): the
 * default tiny transformer trained on one corpus with a fixed seed. `npm run pretrain` runs it;
 * src/nn/recipe.test.ts reruns its first steps and checks the loss curve equals the recorded one.
 */

import type { CorpusName } from '../data/corpus-names';
import { Batcher, evalBatches, loadTextDataset } from '../data/text';
import type { Gpu } from '../gpu/device';
import { OptimizerSpec, ScheduleSpec } from './optim/schema';
import { evaluate, Trainer } from './train';
import { Transformer } from './transformer';
import { TransformerSpec } from './transformer.schema';

export const BASE_RECIPE = {
  name: 'names-tiny',
  corpus: 'names' as CorpusName,
  valFraction: 0.1,
  spec: TransformerSpec.parse({}),
  seed: 0,
  steps: 300,
  batch: 8,
  clip: 1,
  optimizer: OptimizerSpec.parse({ name: 'adamw', lr: 0.01, weightDecay: 0.1 }),
  schedule: ScheduleSpec.parse({ warmup: 20, decay: 'cosine', minRatio: 0.1 }),
  evalWindows: 32,
};
export type Recipe = typeof BASE_RECIPE;

export interface RecipeRun {
  model: Transformer;
  vocab: string[];
  losses: number[];
  valLoss: number;
}

/** Train the recipe for `steps` (default all of them); the caller disposes the model. */
export async function runRecipe(
  gpu: Gpu,
  r: Recipe,
  steps = r.steps,
  onStep?: (step: number, loss: number) => void,
): Promise<RecipeRun> {
  const data = await loadTextDataset(r.corpus, r.valFraction);
  const model = new Transformer(gpu, { vocab: data.vocab.size, spec: r.spec, seed: r.seed });
  const trainer = new Trainer(model, {
    optimizer: r.optimizer,
    schedule: r.schedule,
    steps: r.steps,
    clip: r.clip,
  });
  const batcher = new Batcher(data.train, r.batch, r.spec.context, r.seed + 1);
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const { loss } = await trainer.step(batcher.next());
      losses.push(loss);
      onStep?.(s + 1, loss);
    }
  } finally {
    trainer.dispose();
  }
  const valLoss = await evaluate(model, evalBatches(data.val, r.batch, r.spec.context, r.evalWindows));
  return { model, vocab: [...data.vocab.chars], losses, valLoss };
}
