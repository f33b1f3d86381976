/**
 * Every tensor op against the float64 oracle (src/reference/dense.ts) on random shapes with
 * awkward sizes, and every op's backward against finite differences of the oracle.
 * Real WebGPU (Dawn on SwiftShader here), never a mock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import type { Gpu } from '../gpu/device';
import { LimitError, ShapeError } from '../gpu/errors';
import * as ref from '../reference/dense';
import { noGrad } from './autograd';
import * as ops from './ops';
import { Rng } from './rng';
import { Tensor, tidy } from './tensor';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(20261201);
const randArr = (shape: number[], std = 1) =>
  ref.arr(
    rng.normals(
      shape.reduce((a, b) => a * b, 1),
      std,
    ),
    shape,
  );
const up = (a: ref.Arr) => Tensor.fromArray(gpu, a.data, a.shape);
/** f32 rounding of the inputs, so the oracle sees what the GPU sees. */
const f32 = (a: ref.Arr) => ref.arr(Float32Array.from(a.data), a.shape);

const unaryOps = {
  relu: ops.relu,
  gelu: ops.gelu,
  tanh: ops.tanh,
  exp: ops.exp,
  neg: ops.neg,
  abs: ops.abs,
  square: ops.square,
  sqrt: ops.sqrt,
};

// f32 GEMM error grows like sqrt(K)·eps·|a||b|; this bound holds with room for K ≤ 300.
const GEMM_TOL = 2e-5;

describe('matmul', () => {
  const sizes = [1, 3, 17, 65, 130];
  const cases: Array<[number, number, number]> = [];
  for (let i = 0; i < 10; i++)
    cases.push([sizes[rng.int(sizes.length)], sizes[rng.int(sizes.length)], sizes[rng.int(sizes.length)]]);
  cases.push([257, 3, 1], [1, 257, 64], [64, 64, 64]);

  for (const [M, K, N] of cases)
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const)
      it(`${M}×${K} · ${K}×${N} transA=${ta} transB=${tb}`, async () => {
        const A = f32(randArr(ta ? [K, M] : [M, K]));
        const B = f32(randArr(tb ? [N, K] : [K, N]));
        const want = ref.matmul(A, B, ta, tb, 0.5);
        const got = await tidy(() => ops.matmul(up(A), up(B), { transA: ta, transB: tb, alpha: 0.5 })).read();
        expect(ref.relMaxError(got, want.data)).toBeLessThan(GEMM_TOL * Math.sqrt(K));
      });

  it('batched with broadcast of a batch of 1', async () => {
    const A = f32(randArr([4, 17, 9]));
    const B = f32(randArr([9, 5]));
    const want = ref.matmul(A, B);
    const c = ops.matmul(up(A), up(B));
    expect(c.shape).toEqual([4, 17, 5]);
    expect(ref.relMaxError(await c.read(), want.data)).toBeLessThan(1e-5);
    // The batch of 1 on the left this time: [1, 9, 5] · [3, 5, 2] → [3, 9, 2].
    const A2 = ref.arr(B.data, [1, 9, 5]);
    const B2 = f32(randArr([3, 5, 2]));
    const want2 = ref.matmul(A2, B2);
    const c2 = ops.matmul(up(A2), up(B2));
    expect(c2.shape).toEqual([3, 9, 2]);
    expect(ref.relMaxError(await c2.read(), want2.data)).toBeLessThan(1e-5);
    // The oracle's batches really differ (a broadcast that reused batch 0 would not).
    expect(ref.relMaxError(want2.data.subarray(0, 18), want2.data.subarray(18, 36))).toBeGreaterThan(1e-3);
    c.dispose();
    c2.dispose();
  });

  it('rejects mismatched shapes with both shapes in the message', () => {
    const a = Tensor.zeros(gpu, [3, 4]);
    const b = Tensor.zeros(gpu, [5, 6]);
    expect(() => ops.matmul(a, b)).toThrow(ShapeError);
    expect(() => ops.matmul(a, b)).toThrow(/\[3, 4\].*\[5, 6\].*4 vs 5/);
    expect(() => ops.matmul(Tensor.zeros(gpu, [2, 3, 4]), Tensor.zeros(gpu, [3, 4, 5]))).toThrow(
      /batch sizes 2 and 3/,
    );
  });
});

describe('elementwise', () => {
  const shapes = [[1], [3, 17], [65, 3], [2, 5, 257]];
  for (const [name, f] of Object.entries(ref.unaryFns))
    it(`${name} on random shapes`, async () => {
      for (const shape of shapes) {
        let A = f32(randArr(shape, 2));
        if (name === 'sqrt') A = ref.map(A, Math.abs);
        const want = ref.map(A, f);
        const got = await tidy(() =>
          (ops as unknown as Record<string, (t: Tensor) => Tensor>)[name](up(A)),
        ).read();
        // exp of |x| ≤ 8: relative 1e-6 of the largest value; the rest are well-conditioned.
        expect(ref.relMaxError(got, want.data)).toBeLessThan(2e-6);
      }
    });

  it('binary ops with suffix broadcast', async () => {
    const A = f32(randArr([5, 7]));
    const B = f32(randArr([5, 7]));
    const bias = f32(randArr([7]));
    const pos = ref.map(f32(randArr([7])), (v) => 1 + Math.abs(v));
    const check = async (t: Tensor, want: ref.Arr) => {
      expect(t.shape).toEqual(want.shape);
      expect(ref.relMaxError(await t.read(), want.data)).toBeLessThan(1e-6);
    };
    await check(
      ops.add(up(A), up(B)),
      ref.zip(A, B, (x, y) => x + y),
    );
    await check(
      ops.sub(up(A), up(B)),
      ref.zip(A, B, (x, y) => x - y),
    );
    await check(
      ops.mul(up(A), up(B)),
      ref.zip(A, B, (x, y) => x * y),
    );
    await check(
      ops.add(up(A), up(bias)),
      ref.zip(A, bias, (x, y) => x + y),
    );
    await check(
      ops.add(up(bias), up(A)),
      ref.zip(A, bias, (x, y) => x + y),
    );
    await check(
      ops.div(up(A), up(pos)),
      ref.zip(A, pos, (x, y) => x / y),
    );
    await check(
      ops.axpby(2, up(A), -3, up(B)),
      ref.zip(A, B, (x, y) => 2 * x - 3 * y),
    );
    await check(
      ops.scale(up(A), 0.25),
      ref.map(A, (x) => 0.25 * x),
    );
  });

  it('rejects shapes that do not broadcast', () => {
    expect(() => ops.add(Tensor.zeros(gpu, [5, 7]), Tensor.zeros(gpu, [5]))).toThrow(
      /\[5\] does not broadcast onto \[5, 7\]/,
    );
    expect(() => ops.mul(Tensor.zeros(gpu, [6]), Tensor.zeros(gpu, [2, 3]))).toThrow(ShapeError);
  });
});

describe('reductions', () => {
  const cases: Array<[number[], number | undefined]> = [
    [[1], undefined],
    [[257], undefined],
    [[3, 17], 0],
    [[3, 17], 1],
    [[65, 5], -1],
    [[4, 33, 3], 1],
    [[2, 3, 130], 2],
    [[2, 3, 130], undefined],
  ];
  const fns: Array<[ref.RefReduce, (t: Tensor, axis?: number) => Tensor]> = [
    ['sum', (t, a) => ops.sum(t, a)],
    ['mean', (t, a) => ops.mean(t, a)],
    ['max', (t, a) => ops.max(t, a)],
    ['min', (t, a) => ops.min(t, a)],
    ['sumsq', (t, a) => ops.sumSquares(t, a)],
    ['fro', (t, a) => ops.norm(t, 'fro', a)],
    ['l1', (t, a) => ops.norm(t, 'l1', a)],
    ['inf', (t, a) => ops.norm(t, 'inf', a)],
  ];
  for (const [name, fn] of fns)
    it(`${name} per axis and total`, async () => {
      for (const [shape, axis] of cases) {
        const A = f32(randArr(shape));
        const want = ref.reduce(A, name, axis);
        const t = tidy(() => fn(up(A), axis));
        expect(t.shape).toEqual(want.shape);
        // Sums of up to 780 terms in f32: 1e-5 relative to (1 + the largest result).
        expect(ref.relMaxError(await t.read(), want.data)).toBeLessThan(1e-5);
      }
    });

  it('keepDims and a bad axis', () => {
    expect(ops.sum(Tensor.zeros(gpu, [3, 4]), 1, true).shape).toEqual([3, 1]);
    expect(() => ops.sum(Tensor.zeros(gpu, [3, 4]), 2)).toThrow(/axis 2 is out of range for \[3, 4\]/);
  });
});

describe('softmax and transpose', () => {
  it('softmax rows on awkward widths', async () => {
    for (const shape of [
      [1, 1],
      [3, 17],
      [5, 257],
      [2, 3, 65],
    ]) {
      const A = f32(randArr(shape, 3));
      const got = await ops.softmax(up(A)).read();
      expect(ref.relMaxError(got, ref.softmax(A).data)).toBeLessThan(1e-6);
    }
  });

  it('softmax is stable for large logits', async () => {
    const got = await ops.softmax(Tensor.fromArray(gpu, [1000, 1001, 999], [1, 3])).read();
    expect(ref.relMaxError(got, ref.softmax(ref.arr([1000, 1001, 999], [1, 3])).data)).toBeLessThan(1e-6);
  });

  it('transpose, batched', async () => {
    for (const shape of [
      [1, 1],
      [3, 17],
      [65, 2],
      [3, 5, 33],
    ]) {
      const A = f32(randArr(shape));
      const t = ops.transpose(up(A));
      const want = ref.transpose(A);
      expect(t.shape).toEqual(want.shape);
      expect(ref.relMaxError(await t.read(), want.data)).toBe(0);
    }
  });
});

describe('limits and shapes', () => {
  it('a tensor over maxStorageBufferBindingSize fails before allocating, naming the limit', () => {
    const limit = gpu.info.limits.maxStorageBufferBindingSize;
    const n = limit / 4 + 1024;
    const before = gpu.pool.stats().live;
    expect(() => Tensor.empty(gpu, [n])).toThrow(LimitError);
    expect(() => Tensor.empty(gpu, [n])).toThrow(/maxStorageBufferBindingSize/);
    expect(gpu.pool.stats().live).toBe(before);
  });

  it('invalid shapes and data lengths are ShapeErrors', () => {
    expect(() => Tensor.zeros(gpu, [0, 3])).toThrow(/not a positive integer: 0/);
    expect(() => Tensor.zeros(gpu, [2.5])).toThrow(ShapeError);
    expect(() => Tensor.fromArray(gpu, [1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\]/);
    expect(() => Tensor.zeros(gpu, [6]).reshape([4, 2])).toThrow(/cannot reshape/);
  });

  it('tidy disposes intermediates, keeps results, and recovers from throws', () => {
    const before = Tensor.liveCount();
    const r = tidy(() => {
      const a = Tensor.full(gpu, [4, 4], 1);
      const b = ops.add(a, a);
      return ops.mul(b, b);
    });
    expect(Tensor.liveCount()).toBe(before + 1);
    r.dispose();
    expect(() =>
      tidy(() => {
        Tensor.full(gpu, [4], 1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Tensor.liveCount()).toBe(before);
  });

  it('a disposed tensor fails clearly', () => {
    const t = Tensor.zeros(gpu, [2]);
    t.dispose();
    expect(() => ops.relu(t)).toThrow(/used after dispose/);
  });

  it('one pipeline serves every shape (shapes are uniforms)', async () => {
    ops.matmul(Tensor.zeros(gpu, [3, 5]), Tensor.zeros(gpu, [5, 7]));
    const n = gpu.compiled;
    ops.matmul(Tensor.zeros(gpu, [33, 2]), Tensor.zeros(gpu, [2, 9]));
    expect(gpu.compiled).toBe(n);
  });
});

// ---------------------------------------------------------------- gradients vs finite differences

/**
 * For a scalar loss L(x) = Σ w ⊙ f(x) with fixed random weights w, compare the GPU gradient of
 * every input with central differences of the float64 oracle.
 */
async function checkGrad(
  shapes: number[][],
  gpuF: (xs: Tensor[]) => Tensor,
  refF: (xs: ref.Arr[]) => ref.Arr,
  opts: { tol?: number; positive?: boolean } = {},
) {
  const xs = shapes.map((s) => {
    let a = f32(randArr(s));
    if (opts.positive) a = ref.map(a, (v) => 0.5 + Math.abs(v));
    return a;
  });
  const outShape = refF(xs).shape;
  const w = f32(randArr(outShape));
  const loss = (ins: ref.Arr[]) => {
    const y = refF(ins);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i] * w.data[i % w.data.length];
    return s;
  };
  const ts = xs.map((x) => up(x).trainable());
  tidy(() => {
    const y = gpuF(ts);
    const l = ops.sum(ops.mul(y, up(w)));
    l.backward();
  });
  for (let i = 0; i < xs.length; i++) {
    const num = ref.numericGrad(
      (v) => loss(xs.map((x, j) => (j === i ? { data: v, shape: x.shape } : x))),
      xs[i].data,
      1e-5,
    );
    const got = await ts[i].grad!.read();
    expect(ref.relMaxError(got, num), `input ${i}`).toBeLessThan(opts.tol ?? 1e-4);
  }
  for (const t of ts) t.dispose();
}

describe('backward vs finite differences', () => {
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const)
    it(`matmul transA=${ta} transB=${tb}`, () =>
      checkGrad(
        [ta ? [5, 3] : [3, 5], tb ? [4, 5] : [5, 4]],
        ([a, b]) => ops.matmul(a, b, { transA: ta, transB: tb, alpha: 1.5 }),
        ([a, b]) => ref.matmul(a, b, ta, tb, 1.5),
      ));

  it('batched matmul with a broadcast operand', () =>
    checkGrad(
      [
        [2, 3, 4],
        [4, 5],
      ],
      ([a, b]) => ops.matmul(a, b),
      ([a, b]) => ref.matmul(a, b),
    ));

  it('add / sub / mul / div with broadcast', async () => {
    await checkGrad(
      [[3, 4], [4]],
      ([a, b]) => ops.add(a, b),
      ([a, b]) => ref.zip(a, b, (x, y) => x + y),
    );
    await checkGrad(
      [
        [3, 4],
        [3, 4],
      ],
      ([a, b]) => ops.sub(a, b),
      ([a, b]) => ref.zip(a, b, (x, y) => x - y),
    );
    await checkGrad(
      [[3, 4], [4]],
      ([a, b]) => ops.mul(a, b),
      ([a, b]) => ref.zip(a, b, (x, y) => x * y),
    );
    await checkGrad(
      [[3, 4], [4]],
      ([a, b]) => ops.div(a, b),
      ([a, b]) => ref.zip(a, b, (x, y) => x / y),
      { positive: true },
    );
  });

  for (const name of ['relu', 'gelu', 'tanh', 'exp', 'abs', 'square', 'sqrt'] as const)
    it(name, () =>
      checkGrad(
        [[3, 7]],
        ([a]) => unaryOps[name](a),
        ([a]) => ref.map(a, ref.unaryFns[name]),
        { positive: name === 'sqrt' },
      ),
    );

  it('sum / mean / sumSquares / norms over axes and in total', async () => {
    for (const axis of [undefined, 0, 1, 2]) {
      await checkGrad(
        [[2, 3, 4]],
        ([a]) => ops.sum(a, axis),
        ([a]) => ref.reduce(a, 'sum', axis),
      );
      await checkGrad(
        [[2, 3, 4]],
        ([a]) => ops.mean(a, axis),
        ([a]) => ref.reduce(a, 'mean', axis),
      );
      await checkGrad(
        [[2, 3, 4]],
        ([a]) => ops.sumSquares(a, axis),
        ([a]) => ref.reduce(a, 'sumsq', axis),
      );
      await checkGrad(
        [[2, 3, 4]],
        ([a]) => ops.norm(a, 'fro', axis),
        ([a]) => ref.reduce(a, 'fro', axis),
      );
      await checkGrad(
        [[2, 3, 4]],
        ([a]) => ops.norm(a, 'l1', axis),
        ([a]) => ref.reduce(a, 'l1', axis),
      );
    }
  });

  it('softmax, transpose, reshape, scale', async () => {
    await checkGrad(
      [[3, 5]],
      ([a]) => ops.softmax(a),
      ([a]) => ref.softmax(a),
    );
    await checkGrad(
      [[2, 3, 5]],
      ([a]) => ops.transpose(a),
      ([a]) => ref.transpose(a),
    );
    await checkGrad(
      [[3, 4]],
      ([a]) => ops.scale(a.reshape([2, 6]), -2),
      ([a]) => ref.map(ref.arr(a.data, [2, 6]), (v) => -2 * v),
    );
  });

  it('a tensor used twice accumulates both paths; the inf-norm has no gradient', async () => {
    await checkGrad(
      [[3, 3]],
      ([a]) => ops.matmul(a, a),
      ([a]) => ref.matmul(a, a),
    );
    const x = Tensor.zeros(gpu, [3]).trainable();
    expect(() => tidy(() => ops.norm(x, 'inf').backward())).toThrow(/inf-norm has no gradient/);
  });
});

describe('noGrad', () => {
  it('records no graph inside, and the graph again after', () => {
    const w = Tensor.full(gpu, [2, 3], 1).trainable();
    const inside = noGrad(() => ops.matmul(ops.relu(w), w.reshape([3, 2])));
    expect(inside.backwardFn).toBeNull();
    expect(inside.requiresGrad).toBe(false);
    const outside = ops.relu(w);
    expect(outside.backwardFn).not.toBeNull();
    for (const t of [w, inside, outside]) t.dispose();
  });
});
