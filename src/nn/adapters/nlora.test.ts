import { describe, expect, it } from 'vitest';
import { baseLayer, baseOutput, fdCheck, input, maxDiff, outputOf } from '../../../tests/unit/adapter-kit';
import { getGpu } from '../../../tests/unit/gpu';
import { nloraRef } from '../../reference/adapters';
import { mm } from '../../reference/lowrank';
import { Rng } from '../../tensor/rng';
import { OptimizerSpec } from '../optim/schema';
import { createAdapter, trainableFormula } from '.';
import { fitRegression } from './regression';
import type { ThreeFactorAdapter } from './three-factor';

const sgd = OptimizerSpec.parse({ name: 'sgd', lr: 0.05, momentum: 0 });
const bna = (p: Record<string, Float64Array>, out: number, r: number, inp: number, N = 'lora_N') =>
  mm(mm(p.lora_B, p[N], out, r, r), p.lora_A, out, r, inp);

describe('SLoRA / NLoRA / IntTune', () => {
  it('SLoRA: step 0 is the base bit for bit; B·N·A backward matches finite differences; count r(out+in)+r²', async () => {
    const gpu = await getGpu();
    const base = baseLayer(6, 5, 1);
    const x = input(gpu, 3, 5, 2);
    const a = (await createAdapter(
      gpu,
      base,
      { adapter: 'slora', rank: 2 },
      { rng: new Rng(3) },
    )) as ThreeFactorAdapter;
    expect(await outputOf(a, x)).toEqual(await baseOutput(gpu, base, x));
    expect(a.trainableParams()).toBe(trainableFormula({ adapter: 'slora', rank: 2 }, 6, 5));
    expect(a.trainableParams()).toBe(2 * 11 + 4);
    await fitRegression(a, x, input(gpu, 3, 6, 4), { optimizer: sgd, steps: 2 }); // B ≠ 0 now
    await fdCheck(a, base, x, (p) => {
      const d = bna(p, 6, 2, 5);
      return Float64Array.from(base.weight, (w, i) => w + a.scale * d[i]);
    });
    a.dispose();
    x.dispose();
  });

  it('NLoRA nystrom: N = pinv(W[:r,:r]), s·B·N·A subtracted (step 0 within 1e-5); released: ΔW₀ = s·W[:, :r]·W[:r,:r]·W[:r, :]', async () => {
    const gpu = await getGpu();
    for (const [out, inp, r] of [
      [7, 5, 2],
      [5, 17, 3],
    ]) {
      const base = baseLayer(out, inp, out * inp);
      const x = input(gpu, 3, inp, 2);
      const want = await baseOutput(gpu, base, x);
      for (const variant of ['nystrom', 'released'] as const) {
        const ref = nloraRef(base.weight, out, inp, r, variant);
        const a = (await createAdapter(
          gpu,
          base,
          { adapter: 'nlora', rank: r, alpha: r, variant },
          { rng: new Rng(1) },
        )) as ThreeFactorAdapter;
        const got = bna(
          {
            lora_A: Float64Array.from(await a.A.read()),
            lora_N: Float64Array.from(await a.M.read()),
            lora_B: Float64Array.from(await a.B.read()),
          },
          out,
          r,
          inp,
        );
        expect(await maxDiff(got, ref.product), variant).toBeLessThan(1e-4);
        const eff = await a.effectiveWeight();
        if (variant === 'nystrom') {
          expect(await maxDiff(await outputOf(a, x), want)).toBeLessThan(1e-5);
          expect(await maxDiff(eff, base.weight)).toBeLessThan(1e-5);
        } else {
          expect(
            await maxDiff(
              eff,
              Float64Array.from(base.weight, (w, i) => w + ref.product[i]),
            ),
          ).toBeLessThan(1e-4);
        }
        // exact LoRA form (fold N into A; nystrom through the rank-2r conversion)
        await fitRegression(a, x, input(gpu, 3, out, 9), { optimizer: sgd, steps: 2 });
        const f = await a.loraForm();
        expect(f.r).toBe(variant === 'nystrom' ? 2 * r : r);
        const ba = mm(f.B, f.A, out, f.r, inp);
        const w2 = Float64Array.from(base.weight, (w, i) => w + f.scale * ba[i]);
        expect(await maxDiff(w2, await a.effectiveWeight())).toBeLessThan(1e-5);
        a.dispose();
      }
      x.dispose();
    }
  });

  it('IntTune trains only N (r² parameters): A and B never change', async () => {
    const gpu = await getGpu();
    const base = baseLayer(6, 5, 2);
    const x = input(gpu, 4, 5, 2);
    const a = (await createAdapter(
      gpu,
      base,
      { adapter: 'inttune', rank: 2 },
      { rng: new Rng(1) },
    )) as ThreeFactorAdapter;
    expect(a.namedParameters().map((p) => p.name)).toEqual(['lora_N']);
    expect(a.trainableParams()).toBe(4);
    const [A0, B0, N0] = [await a.A.read(), await a.B.read(), await a.M.read()];
    await fitRegression(a, x, input(gpu, 4, 6, 5), { optimizer: sgd, steps: 3 });
    expect(await a.A.read()).toEqual(A0);
    expect(await a.B.read()).toEqual(B0);
    expect(await a.M.read()).not.toEqual(N0);
    a.dispose();
    x.dispose();
  });
});
