import { describe, expect, it } from 'vitest';
import { baseLayer, baseOutput, input, maxDiff, outputOf } from '../../../tests/unit/adapter-kit';
import { getGpu } from '../../../tests/unit/gpu';
import { pissaRef } from '../../reference/adapters';
import { mm } from '../../reference/lowrank';
import { Rng } from '../../tensor/rng';
import { OptimizerSpec } from '../optim/schema';
import { createAdapter, type LoraForm, trainableFormula } from '.';
import type { ResidualTwoFactor } from './pissa';
import { fitRegression } from './regression';

const adam = OptimizerSpec.parse({ name: 'adamw', lr: 0.02, weightDecay: 0 });

function onOriginal(base: { out: number; in: number; weight: ArrayLike<number> }, f: LoraForm): Float64Array {
  const ba = mm(f.B, f.A, base.out, f.r, base.in);
  return Float64Array.from(base.weight, (w, i) => w + f.scale * ba[i]);
}

describe('PiSSA', () => {
  it('exact SVD: s·B·A = U_r Σ_r V_rᵀ and W_res = W − s·B·A (oracle), step 0 within 1e-5, any α', async () => {
    const gpu = await getGpu();
    for (const [out, inp, r, alpha] of [
      [7, 5, 2, 2],
      [5, 17, 3, 16],
      [17, 3, 1, 1],
    ]) {
      const base = baseLayer(out, inp, 7 * out + inp);
      const ref = pissaRef(base.weight, out, inp, r);
      const a = (await createAdapter(
        gpu,
        base,
        { adapter: 'pissa', rank: r, alpha },
        { rng: new Rng(1) },
      )) as ResidualTwoFactor;
      const sBA = mm(await a.B.read(), await a.A.read(), out, r, inp).map((v) => a.scale * v);
      expect(await maxDiff(sBA, ref.update)).toBeLessThan(1e-5);
      const eff = await a.effectiveWeight();
      expect(await maxDiff(eff, base.weight)).toBeLessThan(1e-5);
      const x = input(gpu, 3, inp, 2);
      expect(await maxDiff(await outputOf(a, x), await baseOutput(gpu, base, x))).toBeLessThan(1e-5);
      expect(a.trainableParams()).toBe(trainableFormula({ adapter: 'pissa', rank: r }, out, inp));
      x.dispose();
      a.dispose();
    }
  });

  it('randomized SVD (seeded, niter): step 0 within 1e-5 though inexact; same seed → same factors', async () => {
    const gpu = await getGpu();
    const base = baseLayer(17, 9, 3);
    const x = input(gpu, 3, 9, 2);
    const mk = async (seed: number) =>
      (await createAdapter(
        gpu,
        base,
        { adapter: 'pissa', rank: 3, svd: 'randomized', niter: 2 },
        { rng: new Rng(seed) },
      )) as ResidualTwoFactor;
    const a = await mk(5);
    expect(await maxDiff(await outputOf(a, x), await baseOutput(gpu, base, x))).toBeLessThan(1e-5);
    const b = await mk(5);
    expect(await b.A.read()).toEqual(await a.A.read());
    await expect(
      createAdapter(gpu, base, { adapter: 'pissa', rank: 3, niter: -1 }, { rng: new Rng(1) }),
    ).rejects.toThrow(/niter/);
    a.dispose();
    b.dispose();
    x.dispose();
  });

  it('converts to a rank-2r LoRA on the ORIGINAL W (α doubled, √2·α under rsLoRA) reproducing the trained outputs', async () => {
    const gpu = await getGpu();
    const base = baseLayer(6, 5, 11);
    const x = input(gpu, 4, 5, 3);
    const y = input(gpu, 4, 6, 4);
    for (const rslora of [false, true]) {
      const a = (await createAdapter(
        gpu,
        base,
        { adapter: 'pissa', rank: 2, alpha: 3, rslora },
        { rng: new Rng(1) },
      )) as ResidualTwoFactor;
      await fitRegression(a, x, y, { optimizer: adam, steps: 5 });
      const f = await a.loraForm();
      expect(f.r).toBe(4);
      expect(f.alpha).toBeCloseTo(rslora ? Math.SQRT2 * 3 : 6, 12);
      expect(f.scale).toBeCloseTo(a.scale, 12);
      expect(await maxDiff(onOriginal(base, f), await a.effectiveWeight())).toBeLessThan(1e-5);
      a.dispose();
    }
    x.dispose();
    y.dispose();
  });
});
