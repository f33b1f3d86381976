/**
 * The recipe of the shipped base weights (public/models/<name>.safetensors + <name>.json): the
 * default tiny transformer trained on one corpus with a fixed seed. `npm run pretrain` runs it;
 * src/nn/recipe.test.ts reruns its first steps and checks the loss curve equals the recorded one.
 */

import type { CorpusName } from '../data/corpus-names';
import {
  Batcher,
  CharVocab,
  evalBatches,
  loadCorpus,
  loadTextDataset,
  splitCorpus,
  type TextDataset,
} from '../data/text';
import type { Gpu } from '../gpu/device';
import { OptimizerSpec, ScheduleSpec } from './optim/schema';
import { evaluate, Trainer } from './train';
import { Transformer } from './transformer';
import { TransformerSpec } from './transformer.schema';

export interface Recipe {
  name: string;
  corpus: CorpusName;
  /**
   * Build the vocabulary from these corpora (with `corpus`) instead of `corpus` alone, so a later
   * fine-tune on another corpus can encode its text (e.g. Moby Dick's base knows State of the Union's
   * characters). Absent: the vocabulary of `corpus`.
   */
  vocabFrom?: CorpusName[];
  valFraction: number;
  spec: TransformerSpec;
  seed: number;
  steps: number;
  batch: number;
  clip: number;
  optimizer: OptimizerSpec;
  schedule: ScheduleSpec;
  evalWindows: number;
  /** The text sample recorded with the weights (src/nn/generate.ts; prompt: a newline). */
  sample: { tokens: number; temperature: number; seed: number };
}

export const BASE_RECIPE: Recipe = {
  name: 'names-tiny',
  corpus: 'names',
  valFraction: 0.1,
  spec: TransformerSpec.parse({}),
  seed: 0,
  steps: 300,
  batch: 8,
  clip: 1,
  optimizer: OptimizerSpec.parse({ name: 'adamw', lr: 0.01, weightDecay: 0.1 }),
  schedule: ScheduleSpec.parse({ warmup: 20, decay: 'cosine', minRatio: 0.1 }),
  evalWindows: 32,
  sample: { tokens: 80, temperature: 0.8, seed: 0 },
};

/** The base of the names fine-tune: the same model and schedule on the male names only (vocabulary: all names). */
export const MALE_NAMES_RECIPE: Recipe = {
  ...BASE_RECIPE,
  name: 'male-names-tiny',
  corpus: 'male-names',
  vocabFrom: ['names'],
};

/** The base of the text fine-tune (Moby Dick → State of the Union): vocabulary of both texts. */
export const MOBY_RECIPE: Recipe = {
  ...BASE_RECIPE,
  name: 'moby-tiny',
  corpus: 'moby-dick',
  vocabFrom: ['sotu'],
};

/** Every shipped recipe by name (`npm run pretrain -- --recipe <name>`; default names-tiny). */
export const RECIPES: Record<string, Recipe> = Object.fromEntries(
  [BASE_RECIPE, MALE_NAMES_RECIPE, MOBY_RECIPE].map((r) => [r.name, r]),
);

/** The exact command that trains a recipe (recorded in <name>.json). */
export function recipeCommand(r: Recipe): string {
  return r.name === BASE_RECIPE.name ? 'npm run pretrain' : `npm run pretrain -- --recipe ${r.name}`;
}

/** The recipe's corpus split, tokenised with its vocabulary (see `vocabFrom`). */
export async function recipeData(r: Recipe): Promise<TextDataset> {
  if (!r.vocabFrom) return loadTextDataset(r.corpus, r.valFraction);
  const texts = await Promise.all([r.corpus, ...r.vocabFrom].map((c) => loadCorpus(c)));
  const vocab = CharVocab.fromText(texts.join(''));
  return { corpus: r.corpus, vocab, ...splitCorpus(vocab, r.corpus, texts[0], r.valFraction) };
}

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
  const data = await recipeData(r);
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
