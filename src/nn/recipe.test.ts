import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { evalBatches, loadTextDataset } from '../data/text';
import { BASE_RECIPE, runRecipe } from './recipe';
import { loadStateDict, stateDictFromSafetensors } from './state-dict';
import { evaluate } from './train';
import { Transformer } from './transformer';

const DIR = resolve(import.meta.dirname, '../../public/models');
const info = JSON.parse(readFileSync(resolve(DIR, `${BASE_RECIPE.name}.json`), 'utf8'));

describe('shipped base weights', () => {
  it('the recorded recipe is the one in src/nn/recipe.ts, and the file is small', () => {
    expect(info.corpus).toBe(BASE_RECIPE.corpus);
    expect(info.seed).toBe(BASE_RECIPE.seed);
    expect(info.steps).toBe(BASE_RECIPE.steps);
    expect(info.batch).toBe(BASE_RECIPE.batch);
    expect(info.optimizer).toEqual(BASE_RECIPE.optimizer);
    expect(info.schedule).toEqual(BASE_RECIPE.schedule);
    expect(info.command).toBe('npm run pretrain');
    expect(info.losses.length).toBe(BASE_RECIPE.steps);
    expect(readFileSync(resolve(DIR, `${BASE_RECIPE.name}.safetensors`)).length).toBeLessThan(2_000_000);
  });

  it('rerunning the first steps of the recipe reproduces the recorded loss curve', async () => {
    const gpu = await getGpu();
    const run = await runRecipe(gpu, BASE_RECIPE, 3);
    // Bit-identity for one code version is tested in pretrain.test.ts (same config + seed). The
    // recorded curve predates later kernel changes (the fused attention, GEMM variants) that
    // reorder f32 sums, so here it must agree to f32 rounding on the same adapter (it did to
    // 6e-8 relative), and to 1e-4 elsewhere. Re-record with `npm run pretrain` after kernel changes.
    const sameAdapter = info.adapter?.architecture === gpu.info.architecture;
    for (let i = 0; i < 3; i++)
      expect(Math.abs(run.losses[i] - info.losses[i])).toBeLessThan(sameAdapter ? 1e-5 : 1e-4);
    run.model.dispose();
  }, 120_000);

  it('the weights load by name and give the recorded validation loss', async () => {
    const gpu = await getGpu();
    const data = await loadTextDataset(BASE_RECIPE.corpus, BASE_RECIPE.valFraction);
    expect([...data.vocab.chars]).toEqual(info.vocab);
    const model = new Transformer(gpu, { vocab: data.vocab.size, spec: BASE_RECIPE.spec, seed: 123 });
    loadStateDict(
      model,
      stateDictFromSafetensors(readFileSync(resolve(DIR, `${BASE_RECIPE.name}.safetensors`))),
    );
    const val = await evaluate(
      model,
      evalBatches(data.val, BASE_RECIPE.batch, BASE_RECIPE.spec.context, BASE_RECIPE.evalWindows),
    );
    expect(Math.abs(val - info.finalValLoss)).toBeLessThan(1e-4);
    model.dispose();
  }, 120_000);
});
