/**
 * Dropout from Philox4x32-10: the f64-side oracle matches the Random123 known-answer vectors,
 * the GPU mask equals the oracle's bit for bit, same seed + offset → same mask, another offset or
 * seed → another; values and gradients vs the oracle. Real WebGPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { checkOp } from '../../tests/unit/op-grad';
import type { Gpu } from '../gpu/device';
import * as nn from '../reference/nn';
import { dropout, dropoutCounters } from './dropout';
import { Rng } from './rng';
import { Tensor, tidy } from './tensor';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});
const rng = new Rng(4242);

const hex = (w: number[]) => w.map((v) => v.toString(16).padStart(8, '0'));

describe('Philox4x32-10 oracle', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect(hex(nn.philox4x32([0, 0, 0, 0], [0, 0]))).toEqual([
      '6627e8d5',
      'e169c58d',
      'bc57ac4c',
      '9b00dbd8',
    ]);
    const f = 0xffffffff;
    expect(hex(nn.philox4x32([f, f, f, f], [f, f]))).toEqual([
      '408f276d',
      '41c83b0e',
      'a20bc7c6',
      '6d5451fd',
    ]);
    expect(
      hex(nn.philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])),
    ).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
});

async function maskOf(n: number, p: number, seed: number, offset: number): Promise<number[]> {
  const x = Tensor.full(gpu, [n], 1);
  const y = tidy(() => dropout(x, p, { seed, offset }));
  const v = await y.read();
  x.dispose();
  y.dispose();
  return Array.from(v, (t) => (t !== 0 ? 1 : 0));
}

describe('dropout', () => {
  for (const n of [1, 3, 17, 65, 257])
    it(`${n} elements: values and gradient vs the oracle`, () => {
      const seed = rng.int(2 ** 31);
      const offset = rng.int(1000);
      return checkOp({
        gpu,
        rng,
        shapes: [[n]],
        gpuF: ([x]) => dropout(x, 0.25, { seed, offset }),
        refF: ([x]) => nn.dropout(x, 0.25, seed, offset),
        tol: 1e-6,
      });
    });

  it('the GPU mask equals the oracle bit for bit, including a counter that carries past 2³²', async () => {
    for (const [n, p, seed, offset] of [
      [4096, 0.3, 12345, 0],
      [1001, 0.5, 0xfffffff0, 2 ** 32 - 100],
      [257, 0.9, 7, 2 ** 40 + 3],
    ]) {
      const want = Array.from(nn.dropoutMask(n, p, seed, offset));
      expect(await maskOf(n, p, seed, offset), `n ${n} p ${p}`).toEqual(want);
    }
  });

  it('same seed + offset → same mask; another offset or seed → another; keep rate ≈ 1 − p', async () => {
    const n = 4096;
    const a = await maskOf(n, 0.3, 9, 0);
    expect(await maskOf(n, 0.3, 9, 0)).toEqual(a);
    const b = await maskOf(n, 0.3, 9, dropoutCounters(n));
    const c = await maskOf(n, 0.3, 10, 0);
    const differ = (u: number[], v: number[]) => u.filter((t, i) => t !== v[i]).length;
    expect(differ(a, b)).toBeGreaterThan(n / 5);
    expect(differ(a, c)).toBeGreaterThan(n / 5);
    const kept = a.reduce((s, t) => s + t, 0) / n;
    expect(Math.abs(kept - 0.7)).toBeLessThan(0.04); // ~6 standard deviations
    expect(await maskOf(64, 0, 1, 0)).toEqual(new Array(64).fill(1));
  });

  it('rejects p outside [0, 1) and a bad seed', () => {
    tidy(() => {
      const x = Tensor.zeros(gpu, [4]);
      expect(() => dropout(x, 1, { seed: 1 })).toThrow(/p must be in \[0, 1\), got 1/);
      expect(() => dropout(x, 0.5, { seed: -1 })).toThrow(/seed must be an integer/);
    });
  });
});
