import { describe, expect, it } from 'vitest';
import { baseLayer, baseOutput, fdCheck, input, maxDiff, outputOf } from '../../../tests/unit/adapter-kit';
import { getGpu } from '../../../tests/unit/gpu';
import { mm } from '../../reference/lowrank';
import { Rng } from '../../tensor/rng';
import { OptimizerSpec } from '../optim/schema';
import { createAdapter, trainableFormula } from '.';
import type { HiraAdapter } from './hira';
import { fitRegression } from './regression';

describe('Hadamard adapter (HiRA form)', () => {
  it('step 0 is the base bit for bit; W + W⊙(B·A) (no α scaling, as peft) backward matches FD; merge/unmerge; no LoRA form', async () => {
    const gpu = await getGpu();
    const base = baseLayer(7, 5, 6);
    const x = input(gpu, 3, 5, 2);
    const a = (await createAdapter(
      gpu,
      base,
      { adapter: 'hira', rank: 2 },
      { rng: new Rng(1) },
    )) as HiraAdapter;
    expect(a.scale).toBe(1);
    await expect(
      createAdapter(gpu, base, { adapter: 'hira', rank: 2, alpha: 4 }, { rng: new Rng(1) }),
    ).rejects.toThrow(/no α\/r scaling/);
    expect(await outputOf(a, x)).toEqual(await baseOutput(gpu, base, x));
    expect(a.trainableParams()).toBe(trainableFormula({ adapter: 'hira', rank: 2 }, 7, 5));
    await fitRegression(a, x, input(gpu, 3, 7, 4), {
      optimizer: OptimizerSpec.parse({ name: 'sgd', lr: 0.1, momentum: 0 }),
      steps: 2,
    });
    const weightOf = (p: Record<string, Float64Array>) => {
      const ba = mm(p.hira_B, p.hira_A, 7, 2, 5);
      return Float64Array.from(base.weight, (w, i) => w + w * ba[i]);
    };
    await fdCheck(a, base, x, weightOf);
    const want = weightOf({
      hira_A: Float64Array.from(await a.A.read()),
      hira_B: Float64Array.from(await a.B.read()),
    });
    expect(await maxDiff(await a.effectiveWeight(), want)).toBeLessThan(1e-6);
    const y0 = await outputOf(a, x);
    a.merge();
    expect(await maxDiff(await outputOf(a, x), y0)).toBeLessThan(1e-5);
    a.unmerge();
    expect(await maxDiff(await a.effectiveWeight(), want)).toBeLessThan(1e-6);
    expect(await a.loraForm()).toBeNull();
    a.dispose();
    x.dispose();
  });
});
