/**
 * Every family's parameters train: an in-place update of a parameter's storage (what an optimizer
 * does, Tensor.assign / axpbyInPlace) changes apply() exactly as toDense() of the updated values
 * says, and every parameter receives a gradient. Index arrays of the sparse families are u32
 * tensors under the same memory management (freed by dispose()).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import * as ref from '../reference/dense';
import { axpbyInPlace, zeroGrad } from '../tensor/autograd';
import * as ops from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { FAMILY_NAMES, type FamilySpec, getFamily } from './index';
import { FamilySpec as FamilySpecSchema } from './specs';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const SPECS: Record<string, unknown> = {
  lowrank: { family: 'lowrank', rank: 2 },
  blockdiag: { family: 'blockdiag', blocks: 2 },
  monarch: { family: 'monarch', blocks: 2 },
  sparse: { family: 'sparse', density: 0.3 },
  'nm-sparse': { family: 'nm-sparse', n: 2, m: 4 },
  'sparse+lowrank': { family: 'sparse+lowrank', rank: 1, density: 0.2 },
  kronecker: { family: 'kronecker', terms: 2 },
  orthoproj: { family: 'orthoproj', rank: 2 },
  fwsvd: { family: 'fwsvd', rank: 2 },
  'dense-sparse': { family: 'dense-sparse', rank: 4, n: 2, m: 4 },
};

describe('structured parameters are updatable in place', () => {
  for (const name of FAMILY_NAMES)
    it(name, async () => {
      expect(SPECS[name], `add a small 8×8 spec for the new family '${name}' to SPECS here`).toBeDefined();
      const spec = FamilySpecSchema.parse(SPECS[name]) as FamilySpec;
      const rng = new Rng(11);
      const live = Tensor.liveCount();
      const m = getFamily(spec.family).random(gpu, 8, 8, spec as never, { rng });
      const x = Tensor.randn(gpu, [3, 8], rng);
      const params = m.parameters();
      expect(params.length).toBeGreaterThan(0);
      for (const p of params) p.trainable();
      tidy(() => ops.sum(ops.square(m.apply(x))).backward());
      for (const p of params) expect(p.grad, `${name}: every parameter gets a gradient`).not.toBeNull();
      const y0 = tidy(() => m.apply(x));
      const before = await y0.read();
      y0.dispose();
      const buffers = params.map((p) => p.buffer);
      for (const p of params) axpbyInPlace(1, p, -0.05, p.grad!);
      zeroGrad(params);
      expect(params.map((p) => p.buffer)).toEqual(buffers);
      const after = tidy(() => m.apply(x));
      const dense = tidy(() => m.toDense());
      const want = ref.matmul(
        ref.arr(await x.read(), [3, 8]),
        ref.arr(await dense.read(), [8, 8]),
        false,
        true,
      );
      const got = await after.read();
      expect(ref.relMaxError(got, want.data)).toBeLessThan(1e-5);
      expect(ref.relMaxError(got, before)).toBeGreaterThan(1e-4);
      for (const t of [after, dense, x]) t.dispose();
      m.dispose();
      expect(Tensor.liveCount(), 'dispose() frees parameters and index tensors').toBe(live);
    });
});
