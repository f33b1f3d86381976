/** Fused cross-entropy vs the f64 oracle (value and finite-difference gradient), real WebGPU. */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { checkOp } from '../../tests/unit/op-grad';
import type { Gpu } from '../gpu/device';
import * as nn from '../reference/nn';
import { crossEntropy } from './loss';
import { Rng } from './rng';
import { Tensor, tidy } from './tensor';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});
const rng = new Rng(1201);

function targetsFor(rows: number, cols: number, ignore: number): Int32Array {
  const t = new Int32Array(rows);
  for (let r = 0; r < rows; r++) t[r] = rows > 2 && r % 3 === 1 ? ignore : rng.int(cols);
  return t;
}

describe('crossEntropy', () => {
  const cases: Array<[number, number]> = [
    [1, 1],
    [1, 3],
    [3, 17],
    [17, 3],
    [65, 5],
    [3, 257],
    [4, 65],
  ];
  for (const [rows, cols] of cases)
    for (const reduction of ['mean', 'sum'] as const)
      it(`${rows} rows × ${cols} classes, ${reduction}, ignore-index rows`, async () => {
        const t = targetsFor(rows, cols, -100);
        await checkOp({
          gpu,
          rng,
          shapes: [[rows, cols]],
          init: (_, n) => Float32Array.from(rng.normals(n, 3)),
          gpuF: ([x]) => crossEntropy(x, Tensor.fromArray(gpu, t, [rows]), { reduction }),
          refF: ([x]) => [nn.crossEntropy(x, t, rows, cols, -100, reduction)],
          tol: 1e-5,
        });
      });

  it('a 3-D logits tensor with u32 targets and a custom ignore index', async () => {
    const t = Uint32Array.from(targetsFor(2 * 5, 7, 4));
    await checkOp({
      gpu,
      rng,
      shapes: [[2, 5, 7]],
      gpuF: ([x]) => crossEntropy(x, Tensor.fromArray(gpu, t, [2, 5]), { ignoreIndex: 4 }),
      refF: ([x]) => [nn.crossEntropy(x, t, 10, 7, 4)],
    });
  });

  it('is stable for huge logits and gives 0 when every token is ignored', async () => {
    const x = Tensor.fromArray(gpu, [1e4, -1e4, 3e4, 0, 2e4, 1e4], [2, 3]);
    const t = Tensor.fromArray(gpu, [0, 2], [2], 'i32');
    const l = tidy(() => crossEntropy(x, t));
    expect(await l.item()).toBeCloseTo(nn.crossEntropy([1e4, -1e4, 3e4, 0, 2e4, 1e4], [0, 2], 2, 3), 1);
    const none = tidy(() => crossEntropy(x, Tensor.fromArray(gpu, [-100, -100], [2], 'i32')));
    expect(await none.item()).toBe(0);
    for (const v of [x, t, l, none]) v.dispose();
  });

  it('rejects f32 targets and a target count that does not match the rows', () => {
    tidy(() => {
      const x = Tensor.zeros(gpu, [4, 3]);
      expect(() => crossEntropy(x, Tensor.zeros(gpu, [4]))).toThrow(/integer \(i32 or u32\) tensor/);
      expect(() => crossEntropy(x, Tensor.fromArray(gpu, [1, 2], [2], 'i32'))).toThrow(
        /2 targets for 4 rows of logits \[4, 3\]/,
      );
    });
  });
});
