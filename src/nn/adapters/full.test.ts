import { describe, expect, it } from 'vitest';
import { baseLayer, baseOutput, input, outputOf } from '../../../tests/unit/adapter-kit';
import { getGpu } from '../../../tests/unit/gpu';
import { lowRankRegressionTask } from '../../data/regression';
import { Rng } from '../../tensor/rng';
import { Tensor } from '../../tensor/tensor';
import { OptimizerSpec } from '../optim/schema';
import { createAdapter } from '.';
import { fitRegression } from './regression';

describe('full fine-tuning (baseline) and the teacher–student facts', () => {
  it('full FT: out·in trainable, step 0 exact; on the teacher–student task full FT and SLoRA of rank = the teacher rank drive the loss near zero', async () => {
    const gpu = await getGpu();
    const small = baseLayer(5, 3, 1);
    const x0 = input(gpu, 2, 3, 1);
    const f0 = await createAdapter(gpu, small, { adapter: 'full', rank: 1 }, { rng: new Rng(1) });
    expect(f0.trainableParams()).toBe(15);
    expect(await outputOf(f0, x0)).toEqual(await baseOutput(gpu, small, x0));
    f0.dispose();
    x0.dispose();
    const task = lowRankRegressionTask({ rows: 8, cols: 6, rank: 2, samples: 48, seed: 4 });
    const base = { out: 8, in: 6, weight: task.base };
    const x = Tensor.fromArray(gpu, task.x, [48, 6]);
    const y = Tensor.fromArray(gpu, task.y, [48, 8]);
    // (PiSSA / OLoRA / NLoRA-nystrom are not in this list on purpose: their frozen residual W − trunc_r(W)
    // leaves W* − W_res = ΔW + trunc_r(W) of rank up to 2r, out of reach of a rank-r update.)
    for (const adapter of ['full', 'slora'] as const) {
      const a = await createAdapter(gpu, base, { adapter, rank: 2 }, { rng: new Rng(3) });
      const l = await fitRegression(a, x, y, {
        optimizer: OptimizerSpec.parse({ name: 'adamw', lr: 0.05, weightDecay: 0 }),
        steps: 150,
      });
      expect(l[l.length - 1], adapter).toBeLessThan(1e-3 * l[0]);
      a.dispose();
    }
    x.dispose();
    y.dispose();
  });
});
