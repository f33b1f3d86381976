import { describe, expect, it } from 'vitest';
import { baseLayer, baseOutput, fdCheck, input, maxDiff, outputOf } from '../../../tests/unit/adapter-kit';
import { getGpu } from '../../../tests/unit/gpu';
import { phmRef } from '../../reference/adapters';
import { Rng } from '../../tensor/rng';
import { OptimizerSpec } from '../optim/schema';
import { createAdapter, trainableFormula } from '.';
import { CompacterAdapter } from './compacter';
import { fitRegression } from './regression';

describe('Compacter / PHM', () => {
  it('step 0 is the base bit for bit; ΔW = s·Σ A_i ⊗ s_i t_iᵀ (oracle); FD backward; count n³ + out + in', async () => {
    const gpu = await getGpu();
    const [out, inp, n] = [6, 4, 2];
    const base = baseLayer(out, inp, 12);
    const x = input(gpu, 3, inp, 2);
    const a = (await createAdapter(
      gpu,
      base,
      { adapter: 'compacter', rank: n },
      { rng: new Rng(1) },
    )) as CompacterAdapter;
    expect(await outputOf(a, x)).toEqual(await baseOutput(gpu, base, x));
    expect(a.trainableParams()).toBe(trainableFormula({ adapter: 'compacter', rank: n }, out, inp));
    expect(a.trainableParams()).toBe(CompacterAdapter.trainableFormula(out, inp, n));
    await fitRegression(a, x, input(gpu, 3, out, 4), {
      optimizer: OptimizerSpec.parse({ name: 'sgd', lr: 0.1, momentum: 0 }),
      steps: 2,
    });
    const weightOf = (p: Record<string, Float64Array>) => {
      const h = phmRef(p.phm_rule, p.phm_left, p.phm_right, n, out / n, inp / n);
      return Float64Array.from(base.weight, (w, i) => w + a.scale * h[i]);
    };
    const vals = Object.fromEntries(
      await Promise.all(
        a.namedParameters().map(async (p) => [p.name, Float64Array.from(await p.tensor.read())]),
      ),
    );
    expect(Math.max(...vals.phm_left.map(Math.abs))).toBeGreaterThan(0);
    expect(await maxDiff(await a.effectiveWeight(), weightOf(vals))).toBeLessThan(1e-6);
    await fdCheck(a, base, x, weightOf);
    await expect(
      createAdapter(gpu, base, { adapter: 'compacter', rank: 3 }, { rng: new Rng(1) }),
    ).rejects.toThrow(/divide/);
    a.dispose();
    x.dispose();
  });
});
