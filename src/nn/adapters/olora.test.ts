import { describe, expect, it } from 'vitest';
import { baseLayer, baseOutput, input, maxDiff, outputOf } from '../../../tests/unit/adapter-kit';
import { getGpu } from '../../../tests/unit/gpu';
import { oloraRef } from '../../reference/adapters';
import { mm } from '../../reference/lowrank';
import { Rng } from '../../tensor/rng';
import { createAdapter } from '.';
import type { ResidualTwoFactor } from './pissa';

describe('OLoRA', () => {
  it('B = Q[:, :r], A = R[:r, :] of W = QR (oracle), W_res = W − s·B·A, step 0 within 1e-5, rank-2r conversion', async () => {
    const gpu = await getGpu();
    for (const [out, inp, r] of [
      [7, 5, 2],
      [5, 17, 3],
    ]) {
      const base = baseLayer(out, inp, out + 13 * inp);
      const ref = oloraRef(base.weight, out, inp, r);
      const a = (await createAdapter(
        gpu,
        base,
        { adapter: 'olora', rank: r, alpha: 2 * r },
        { rng: new Rng(1) },
      )) as ResidualTwoFactor;
      expect(await maxDiff(await a.B.read(), ref.B)).toBeLessThan(1e-5);
      expect(await maxDiff(await a.A.read(), ref.A)).toBeLessThan(1e-5);
      const x = input(gpu, 3, inp, 2);
      expect(await maxDiff(await outputOf(a, x), await baseOutput(gpu, base, x))).toBeLessThan(1e-5);
      const f = await a.loraForm();
      const ba = mm(f.B, f.A, out, f.r, inp);
      const eff = Float64Array.from(base.weight, (w, i) => w + f.scale * ba[i]);
      expect(await maxDiff(eff, await a.effectiveWeight())).toBeLessThan(1e-5);
      x.dispose();
      a.dispose();
    }
  });
});
