import { describe, expect, it } from 'vitest';
import { baseLayer, baseOutput, fdCheck, input, maxDiff, outputOf } from '../../../tests/unit/adapter-kit';
import { getGpu } from '../../../tests/unit/gpu';
import { lowRankRegressionTask } from '../../data/regression';
import { mm } from '../../reference/lowrank';
import { Rng } from '../../tensor/rng';
import { Tensor } from '../../tensor/tensor';
import { OptimizerSpec } from '../optim/schema';
import { createAdapter, trainableFormula } from '.';
import { LoraAdapter } from './lora';
import { fitRegression } from './regression';

describe('LoRA / rsLoRA', () => {
  it('step 0 equals the base bit for bit; counts and scales follow the formulas', async () => {
    const gpu = await getGpu();
    for (const [out, inp, r] of [
      [7, 5, 2],
      [3, 17, 1],
      [17, 3, 3],
    ]) {
      const base = baseLayer(out, inp, out * 31 + inp);
      const x = input(gpu, 4, inp, 5);
      const want = await baseOutput(gpu, base, x);
      for (const adapter of ['lora', 'rslora'] as const) {
        const a = (await createAdapter(
          gpu,
          base,
          { adapter, rank: r, alpha: 4 },
          { rng: new Rng(1) },
        )) as LoraAdapter;
        expect(await outputOf(a, x)).toEqual(want);
        expect(a.trainableParams()).toBe(trainableFormula({ adapter, rank: r }, out, inp));
        expect(a.trainableParams()).toBe(r * (out + inp));
        expect(a.scale).toBeCloseTo(adapter === 'lora' ? 4 / r : 4 / Math.sqrt(r), 12);
        const A = await a.A.read();
        expect(Math.max(...A.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(inp));
        a.dispose();
      }
      x.dispose();
    }
  });

  it('the first step leaves A unchanged (its gradient is Bᵀ·… = 0) and moves B; backward matches finite differences', async () => {
    const gpu = await getGpu();
    const base = baseLayer(6, 5, 3);
    const x = input(gpu, 4, 5, 8);
    const y = input(gpu, 4, 6, 9);
    const a = new LoraAdapter(gpu, base, { adapter: 'lora', rank: 2, alpha: 2 }, { rng: new Rng(2) });
    const A0 = await a.A.read();
    await fitRegression(a, x, y, {
      optimizer: OptimizerSpec.parse({ name: 'adamw', lr: 0.01, weightDecay: 0 }),
      steps: 1,
    });
    expect(await a.A.read()).toEqual(A0);
    expect(Math.max(...(await a.B.read()).map(Math.abs))).toBeGreaterThan(0);
    await fdCheck(a, base, x, (p) => {
      const ba = mm(p.lora_B, p.lora_A, 6, 2, 5);
      return Float64Array.from(base.weight, (w, i) => w + a.scale * ba[i]);
    });
    // merge / unmerge: same outputs within f32 round-off, and back to the base weight
    const before = await outputOf(a, x);
    a.merge();
    expect(await maxDiff(await outputOf(a, x), before)).toBeLessThan(1e-5);
    a.unmerge();
    expect(
      await maxDiff(
        await a.effectiveWeight(),
        await (async () => {
          const ba = mm(await a.B.read(), await a.A.read(), 6, 2, 5);
          return Float64Array.from(base.weight, (w, i) => w + a.scale * ba[i]);
        })(),
      ),
    ).toBeLessThan(1e-6);
    for (const t of [x, y]) t.dispose();
    a.dispose();
  });

  it('teacher–student: LoRA of rank ≥ the teacher update rank drives the loss near zero; same seed → identical curve', async () => {
    const gpu = await getGpu();
    const task = lowRankRegressionTask({ rows: 8, cols: 6, rank: 2, samples: 48, seed: 4 });
    const base = { out: 8, in: 6, weight: task.base };
    const x = Tensor.fromArray(gpu, task.x, [48, 6]);
    const y = Tensor.fromArray(gpu, task.y, [48, 8]);
    const run = async (steps: number) => {
      const a = await createAdapter(gpu, base, { adapter: 'lora', rank: 2, alpha: 2 }, { rng: new Rng(3) });
      const live = Tensor.liveCount();
      const l = await fitRegression(a, x, y, {
        optimizer: OptimizerSpec.parse({ name: 'adamw', lr: 0.1, weightDecay: 0 }),
        steps,
      });
      const grew = Tensor.liveCount() - live;
      a.dispose();
      return { l, grew };
    };
    const { l, grew } = await run(150);
    expect(grew).toBe(0);
    expect(l[l.length - 1]).toBeLessThan(1e-3 * l[0]);
    expect((await run(15)).l).toEqual(l.slice(0, 15));
    x.dispose();
    y.dispose();
  });
});
