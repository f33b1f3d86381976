import { describe, expect, it } from 'vitest';
import { baseLayer, fdCheck, input, maxDiff } from '../../../tests/unit/adapter-kit';
import { getGpu } from '../../../tests/unit/gpu';
import { loraSbRef, truncRef } from '../../reference/adapters';
import { orthonormalityError } from '../../reference/linalg';
import { mm, transposeRaw } from '../../reference/lowrank';
import { Rng } from '../../tensor/rng';
import { OptimizerSpec } from '../optim/schema';
import { createAdapter } from '.';
import { fitRegression } from './regression';
import type { ThreeFactorAdapter } from './three-factor';

const adam = OptimizerSpec.parse({ name: 'adamw', lr: 0.05, weightDecay: 0 });

describe('LoRA-XS / LoRA-SB', () => {
  it('LoRA-XS: B·A = trunc_r(W) (oracle), R ~ N(0, 1e-5²); only R trains and B, A never change; FD backward', async () => {
    const gpu = await getGpu();
    const base = baseLayer(7, 5, 4);
    const x = input(gpu, 4, 5, 2);
    const a = (await createAdapter(
      gpu,
      base,
      { adapter: 'lora-xs', rank: 2 },
      { rng: new Rng(1) },
    )) as ThreeFactorAdapter;
    const B0 = await a.B.read();
    const A0 = await a.A.read();
    expect(await maxDiff(mm(B0, A0, 7, 2, 5), truncRef(base.weight, 7, 5, 2))).toBeLessThan(1e-5);
    expect(Math.max(...(await a.M.read()).map(Math.abs))).toBeLessThan(1e-4);
    expect(a.namedParameters().map((p) => p.name)).toEqual(['lora_R']);
    expect(a.trainableParams()).toBe(4);
    await fitRegression(a, x, input(gpu, 4, 7, 3), { optimizer: adam, steps: 3 });
    expect(await a.B.read()).toEqual(B0);
    expect(await a.A.read()).toEqual(A0);
    await fdCheck(a, base, x, (p) => {
      const d = mm(mm(Float64Array.from(B0), p.lora_R, 7, 2, 2), Float64Array.from(A0), 7, 2, 5);
      return Float64Array.from(base.weight, (w, i) => w + a.scale * d[i]);
    });
    a.dispose();
    x.dispose();
  });

  it('LoRA-SB: s·B·R·A = trunc_r(−η·sign G) (oracle), BᵀB = A·Aᵀ = I, W not modified; B and A never change', async () => {
    const gpu = await getGpu();
    const base = baseLayer(6, 9, 5);
    const grad = new Rng(8).normals(54);
    const a = (await createAdapter(
      gpu,
      base,
      { adapter: 'lora-sb', rank: 3, alpha: 6 },
      { rng: new Rng(1), grad, lr: 0.01 },
    )) as ThreeFactorAdapter;
    const [B, R, A] = [await a.B.read(), await a.M.read(), await a.A.read()];
    const d = mm(mm(B, R, 6, 3, 3), A, 6, 3, 9).map((v) => a.scale * v);
    expect(await maxDiff(d, loraSbRef(grad, 6, 9, 3, 0.01))).toBeLessThan(1e-6);
    expect(orthonormalityError(B, 6, 3)).toBeLessThan(1e-6);
    expect(orthonormalityError(transposeRaw(A, 3, 9), 9, 3)).toBeLessThan(1e-6);
    const x = input(gpu, 4, 9, 2);
    await fitRegression(a, x, input(gpu, 4, 6, 3), { optimizer: adam, steps: 3 });
    expect(await a.B.read()).toEqual(B);
    expect(await a.A.read()).toEqual(A);
    await expect(
      createAdapter(gpu, base, { adapter: 'lora-sb', rank: 3 }, { rng: new Rng(1) }),
    ).rejects.toThrow(/ctx\.grad/);
    a.dispose();
    x.dispose();
  });
});
