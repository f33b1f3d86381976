/**
 * `npm run pretrain` (vite.pretrain.config.ts → dist-pretrain/pretrain.mjs): trains the base
 * recipe (src/nn/recipe.ts) on Dawn and writes public/models/<name>.safetensors + <name>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitDescription } from '../data/text';
import { generate } from '../nn/generate';
import { BASE_RECIPE, RECIPES, recipeCommand, runRecipe } from '../nn/recipe';
import { stateDict, stateDictToSafetensors } from '../nn/state-dict';
import { createNodeGpu } from './node-gpu';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // --recipe NAME: one of src/nn/recipe.ts's RECIPES (default names-tiny).
  const ra = args.indexOf('--recipe');
  const name = ra >= 0 ? args.splice(ra, 2)[1] : BASE_RECIPE.name;
  const recipe = RECIPES[name];
  if (!recipe) throw new Error(`--recipe: unknown '${name}' (known: ${Object.keys(RECIPES).join(', ')})`);
  const at = args.indexOf('--steps');
  // --steps N: a trial run of the first N steps (the recorded recipe is always the full one).
  const r = at >= 0 ? { ...recipe, steps: Number(args.splice(at, 2)[1]) } : recipe;
  const out = resolve(args[0] ?? 'public/models');
  const gpu = await createNodeGpu();
  const t0 = performance.now();
  const run = await runRecipe(gpu, r, r.steps, (s, l) => {
    if (s % 20 === 0 || s === r.steps) process.stderr.write(`step ${s}/${r.steps} loss ${l.toFixed(4)}\n`);
  });
  const seconds = (performance.now() - t0) / 1000;
  const sd = await stateDict(run.model);
  const sampleIds = await generate(run.model, { prompt: [run.vocab.indexOf('\n')], ...r.sample });
  const info = {
    name: r.name,
    architecture: {
      kind: 'tiny-char-transformer',
      vocab: run.vocab.length,
      ...r.spec,
      linear: { family: 'dense' },
    },
    vocab: run.vocab,
    corpus: r.corpus,
    ...(r.vocabFrom ? { vocabFrom: r.vocabFrom } : {}),
    valFraction: r.valFraction,
    split: splitDescription(r.corpus),
    seed: r.seed,
    steps: r.steps,
    batch: r.batch,
    clip: r.clip,
    optimizer: r.optimizer,
    schedule: r.schedule,
    evalWindows: r.evalWindows,
    params: run.model.numParams(),
    finalLoss: run.losses[run.losses.length - 1],
    finalValLoss: run.valLoss,
    losses: run.losses,
    sample: { ...r.sample, prompt: '\n', text: sampleIds.map((i) => run.vocab[i]).join('') },
    adapter: {
      architecture: gpu.info.architecture,
      vendor: gpu.info.vendor,
      isFallbackAdapter: gpu.info.isFallbackAdapter,
    },
    trainingSeconds: Math.round(seconds),
    command: recipeCommand(recipe),
  };
  const bytes = stateDictToSafetensors(sd, { format: 'pt', name: r.name, recipe: 'src/nn/recipe.ts' });
  mkdirSync(out, { recursive: true });
  writeFileSync(resolve(out, `${r.name}.safetensors`), bytes);
  writeFileSync(resolve(out, `${r.name}.json`), `${JSON.stringify(info, null, 2)}\n`);
  process.stderr.write(
    `wrote ${out}/${r.name}.safetensors (${bytes.length} bytes) and ${r.name}.json: val loss ${run.valLoss.toFixed(4)} in ${seconds.toFixed(0)} s\n`,
  );
  run.model.dispose();
  gpu.destroy();
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`error: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
