import { describe, expect, it } from 'vitest';
import { baseLayer, baseOutput, fdCheck, input, maxDiff, outputOf } from '../../../tests/unit/adapter-kit';
import { getGpu } from '../../../tests/unit/gpu';
import { linearRef, phmRef } from '../../reference/adapters';
import { add, sum } from '../../tensor/ops';
import { Rng } from '../../tensor/rng';
import { type Tensor, tidy } from '../../tensor/tensor';
import { OptimizerSpec } from '../optim/schema';
import { createAdapter, modelTrainable, trainableFormula } from '.';
import { CompacterAdapter } from './compacter';
import { fitRegression } from './regression';

describe('Compacter / PHM', () => {
  it('step 0 is the base bit for bit; x·(W + s·Σ A_i ⊗ s_i t_iᵀ)ᵀ without forming H (oracle); FD backward; count n³ + out + in alone', async () => {
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
    expect(a.trainableParams()).toBe(modelTrainable({ adapter: 'compacter', rank: n }, [[out, inp]]));
    expect(a.trainableParams()).toBe(n ** 3 + trainableFormula({ adapter: 'compacter', rank: n }, out, inp));
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
    // the forward (which never builds H) against the f64 oracle's x·(W + s·H)ᵀ + b
    const yRef = linearRef(Float64Array.from(await x.read()), weightOf(vals), base.bias ?? null, 3, out, inp);
    expect(await maxDiff(await outputOf(a, x), yRef)).toBeLessThan(1e-5);
    await fdCheck(a, base, x, weightOf);
    await expect(
      createAdapter(gpu, base, { adapter: 'compacter', rank: 3 }, { rng: new Rng(1) }),
    ).rejects.toThrow(/divide/);
    a.dispose();
    x.dispose();
  });

  it('the A_i are shared across the layers of a model: one tensor, n³ counted once, gradients summed over layers', async () => {
    const gpu = await getGpu();
    const n = 2;
    const shared = new Map<string, Tensor>();
    const spec = { adapter: 'compacter' as const, rank: n };
    const [b1, b2] = [baseLayer(4, 6, 21), baseLayer(2, 4, 22)];
    const a1 = (await createAdapter(gpu, b1, spec, { rng: new Rng(1), shared })) as CompacterAdapter;
    const a2 = (await createAdapter(gpu, b2, spec, { rng: new Rng(2), shared })) as CompacterAdapter;
    expect(a2.rule).toBe(a1.rule);
    expect([a1.ownsRule, a2.ownsRule]).toEqual([true, false]);
    expect(a2.namedParameters().map((p) => p.name)).toEqual(['phm_left', 'phm_right']);
    expect(a1.trainableParams() + a2.trainableParams()).toBe(
      modelTrainable(spec, [
        [4, 6],
        [2, 4],
      ]),
    );
    // s_i ≠ 0 so the rule gets a gradient; grad(rule) of loss1 + loss2 = grad of each alone, summed
    for (const a of [a1, a2])
      a.left.write(Float32Array.from({ length: a.left.size }, (_, i) => 0.3 - 0.1 * i));
    const [x1, x2] = [input(gpu, 3, 6, 5), input(gpu, 3, 4, 6)];
    const gradOf = async (f: () => Tensor) => {
      a1.rule.grad?.dispose();
      a1.rule.grad = null;
      tidy(() => f().backward());
      return Float64Array.from(await (a1.rule.grad as unknown as Tensor).read());
    };
    const g1 = await gradOf(() => sum(a1.forward(x1)));
    const g2 = await gradOf(() => sum(a2.forward(x2)));
    const both = await gradOf(() => add(sum(a1.forward(x1)), sum(a2.forward(x2))));
    expect(
      await maxDiff(
        both,
        Float64Array.from(g1, (v, i) => v + g2[i]),
      ),
    ).toBeLessThan(1e-5);
    expect(Math.max(...g2.map(Math.abs))).toBeGreaterThan(0);
    for (const t of [a2, a1, x1, x2]) t.dispose();
  });
});
