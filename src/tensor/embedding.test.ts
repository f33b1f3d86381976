/** Embedding gather and its deterministic scatter-add backward vs the f64 oracle, real WebGPU. */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { checkOp } from '../../tests/unit/op-grad';
import type { Gpu } from '../gpu/device';
import * as nn from '../reference/nn';
import { embedding } from './embedding';
import * as ops from './ops';
import { Rng } from './rng';
import { Tensor, tidy } from './tensor';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});
const rng = new Rng(77);

describe('embedding', () => {
  // [vocab, dim, tokens]: awkward sizes; repeated ids (tokens > vocab) exercise the scatter-add.
  const cases: Array<[number, number, number]> = [
    [1, 1, 1],
    [3, 17, 5],
    [17, 3, 65],
    [65, 2, 257],
    [5, 65, 3],
    [2, 257, 3],
  ];
  for (const [vocab, dim, n] of cases)
    it(`vocab ${vocab}, dim ${dim}, ${n} tokens`, async () => {
      const ids = Int32Array.from({ length: n }, () => rng.int(vocab));
      await checkOp({
        gpu,
        rng,
        shapes: [[vocab, dim]],
        gpuF: ([w]) => embedding(w, Tensor.fromArray(gpu, ids, [n])),
        refF: ([w]) => nn.embedding(w, ids, dim),
        tol: 0,
      });
    });

  it('ids of any shape (u32), output [...ids, dim]; out-of-range ids give zero rows', async () => {
    const w = Tensor.fromArray(gpu, [1, 2, 3, 4, 5, 6], [3, 2]);
    const y = tidy(() => embedding(w, Tensor.fromArray(gpu, new Uint32Array([2, 0, 7, 1]), [2, 2])));
    expect(y.shape).toEqual([2, 2, 2]);
    expect(Array.from(await y.read())).toEqual([5, 6, 1, 2, 0, 0, 3, 4]);
    for (const t of [w, y]) t.dispose();
  });

  it('the backward is deterministic: bit-identical gradients over repeated runs', async () => {
    const vocab = 7;
    const dim = 33;
    const n = 257;
    const ids = Tensor.fromArray(
      gpu,
      Int32Array.from({ length: n }, () => rng.int(vocab)),
      [n],
    );
    const w = Tensor.randn(gpu, [vocab, dim], rng).trainable();
    const up = Tensor.randn(gpu, [n, dim], rng, 100); // large, mixed-sign terms: order matters in f32
    const grads: Float32Array[] = [];
    for (let k = 0; k < 3; k++) {
      tidy(() => ops.sum(ops.mul(embedding(w, ids), up)).backward());
      grads.push(await w.grad!.read());
      w.grad!.dispose();
      w.grad = null;
    }
    expect(Buffer.from(grads[1].buffer)).toEqual(Buffer.from(grads[0].buffer));
    expect(Buffer.from(grads[2].buffer)).toEqual(Buffer.from(grads[0].buffer));
    for (const t of [ids, w, up]) t.dispose();
  });

  it('rejects f32 ids and a table that is not 2-D', () => {
    tidy(() => {
      expect(() => embedding(Tensor.zeros(gpu, [3, 2]), Tensor.zeros(gpu, [2]))).toThrow(/integer/);
      expect(() => embedding(Tensor.zeros(gpu, [6]), Tensor.fromArray(gpu, [0], [1], 'i32'))).toThrow(
        /2-D f32 tensor/,
      );
    });
  });
});
