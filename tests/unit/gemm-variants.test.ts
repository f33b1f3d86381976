/**
 * Every GEMM variant in shaders/gemm.wgsl, forced through gemmPlanFor, against the float64 oracle
 * on awkward shapes (sizes that are not multiples of any block), all transpose flags, batches
 * with and without broadcast; plus the variant choice and the generated shader being current.
 * Real WebGPU (Dawn on SwiftShader here), never a mock.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/device';
import * as ref from '../../src/reference/dense';
import {
  chooseGemmVariant,
  GEMM,
  GEMM_VARIANTS,
  type GemmProfile,
  type GemmVariant,
  gemmAligned,
  gemmPlanFor,
  gemmProfileFor,
} from '../../src/tensor/gemm-plan';
import { gemmPlan } from '../../src/tensor/kernels';
import * as ops from '../../src/tensor/ops';
import { Rng } from '../../src/tensor/rng';
import { Tensor, tidy } from '../../src/tensor/tensor';
import { getGpu } from './gpu';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

const rng = new Rng(20261202);
const randArr = (shape: number[]) =>
  ref.arr(
    Float32Array.from(
      rng.normals(
        shape.reduce((x, y) => x * y, 1),
        1,
      ),
    ),
    shape,
  );
const up = (x: ref.Arr) => Tensor.fromArray(gpu, x.data, x.shape);
const pick = (xs: number[]) => xs[rng.int(xs.length)];
const TOL = 2e-5;

/** Run one forced variant exactly as ops.matmul would dispatch it. */
async function runVariant(
  v: GemmVariant,
  p: GemmProfile,
  A: ref.Arr,
  B: ref.Arr,
  ta: boolean,
  tb: boolean,
  alpha: number,
): Promise<Float32Array> {
  const [ar, ac] = A.shape.slice(-2);
  const [br, bc] = B.shape.slice(-2);
  const M = ta ? ac : ar;
  const K = ta ? ar : ac;
  const N = tb ? br : bc;
  const batchA = A.shape.length === 3 ? A.shape[0] : 1;
  const batchB = B.shape.length === 3 ? B.shape[0] : 1;
  const batch = Math.max(batchA, batchB);
  const a = up(A);
  const b = up(B);
  const c = Tensor.empty(gpu, [batch, M, N]);
  const plan = gemmPlanFor(v, M, N, batch, ta, tb, p);
  gpu.dispatch(
    plan.kernel,
    { a: a.buffer, b: b.buffer, c: c.buffer },
    {
      M,
      N,
      K,
      strideA: batchA === 1 ? 0 : M * K,
      strideB: batchB === 1 ? 0 : K * N,
      strideC: M * N,
      alpha,
    },
    plan.workgroups,
  );
  const out = await c.read();
  a.dispose();
  b.dispose();
  c.dispose();
  return out;
}

const FLAGS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

describe('GEMM variants against the float64 oracle', () => {
  for (const v of Object.keys(GEMM_VARIANTS) as GemmVariant[]) {
    const { aligned, wg } = GEMM_VARIANTS[v];
    // Each distinct workgroup size the profiles give this variant.
    const profiles: GemmProfile[] = wg.cpu.join() === wg.gpu.join() ? ['gpu'] : ['cpu', 'gpu'];
    for (const p of profiles) {
      const tag = `${v} [${wg[p].join('×')}]`;
      // Each (variant, workgroup, flags) is its own pipeline, seconds of shader compile each on
      // SwiftShader. The transpose flags change only how tiles are loaded: every flag runs under
      // the first workgroup shape. A second shape changes only how output tiles map to threads: it
      // runs with both operands transposed (the most index arithmetic) and, below, batched plain.
      const flags = p === profiles[0] ? FLAGS : FLAGS.filter(([ta, tb]) => ta && tb);
      for (const [ta, tb] of flags) {
        // Sizes that satisfy the variant's alignment, otherwise as awkward as possible.
        const cases: Array<[number, number, number]> = [];
        for (let i = 0; i < 3; i++) {
          const M = aligned && ta ? pick([4, 12, 20, 36]) : pick([1, 3, 17, 33, 65]);
          const N = aligned && !tb ? pick([4, 12, 20, 68]) : pick([1, 5, 17, 33, 67]);
          const K = aligned ? pick([4, 8, 36, 132, 260]) : pick([1, 3, 17, 65, 257]);
          cases.push([M, K, N]);
        }
        it(`${tag} transA=${ta} transB=${tb}: ${cases.map((c) => c.join('×')).join(', ')}`, async () => {
          for (const [M, K, N] of cases) {
            const A = randArr(ta ? [K, M] : [M, K]);
            const B = randArr(tb ? [N, K] : [K, N]);
            const want = ref.matmul(A, B, ta, tb, 0.5);
            const got = await runVariant(v, p, A, B, ta, tb, 0.5);
            expect(ref.relMaxError(got, want.data), `${M}×${K}×${N}`).toBeLessThan(TOL * Math.sqrt(K));
          }
        });
      }
      it(`${tag} batched: per-item A and B, then a broadcast B, then a broadcast A`, async () => {
        const [M, K, N] = aligned ? [20, 36, 12] : [17, 9, 5];
        for (const [bA, bB] of [
          [3, 3],
          [3, 1],
          [1, 2],
        ]) {
          const A = randArr([bA, M, K]);
          const B = randArr([bB, K, N]);
          const want = ref.matmul(A, B);
          const got = await runVariant(v, p, A, B, false, false, 1);
          expect(ref.relMaxError(got, want.data), `batches ${bA}, ${bB}`).toBeLessThan(TOL * Math.sqrt(K));
        }
      });
    }
  }
});

describe('GEMM variant choice', () => {
  it('uses the general kernel exactly when a vec4 dimension does not divide by 4', () => {
    expect(gemmAligned(3, 8, 8, false, false)).toBe(true); // M is free unless transA
    expect(gemmAligned(3, 8, 8, true, false)).toBe(false);
    expect(gemmAligned(4, 8, 6, false, false)).toBe(false);
    expect(gemmAligned(4, 5, 8, false, false)).toBe(false);
    expect(gemmAligned(4, 5, 8, false, true)).toBe(true); // N is free when transB
    for (const p of ['cpu', 'gpu'] as const) {
      expect(chooseGemmVariant(65, 65, 65, 1, false, false, p)).toBe('main');
      expect(chooseGemmVariant(512, 512, 512, 1, false, false, p)).not.toBe('main');
      expect(GEMM_VARIANTS[chooseGemmVariant(1, 1024, 1024, 1, false, false, p)].rows).toBe(4);
    }
    expect(chooseGemmVariant(512, 512, 512, 1, false, true, 'cpu')).toBe('fast16x16');
    expect(chooseGemmVariant(128, 128, 128, 1, false, false, 'cpu')).toBe('fast8x8');
    expect(chooseGemmVariant(64, 64, 4096, 1, true, false, 'gpu')).toBe('ksplit8x8');
  });

  it('picks the cpu profile for the SwiftShader adapter the tests run on', () => {
    // Tests run on SwiftShader unless pointed at another Vulkan driver (tests/unit/gpu.ts).
    if (!process.env.SMX_SYSTEM_VULKAN && !process.env.SMX_VK_ICD)
      expect(gemmProfileFor(gpu.info), JSON.stringify(gpu.info.architecture)).toBe('cpu');
    expect(gemmProfileFor({ isFallbackAdapter: false, architecture: 'swiftshader' })).toBe('cpu');
    expect(gemmProfileFor({ isFallbackAdapter: false, architecture: 'ampere' })).toBe('gpu');
  });

  it('ops.matmul is right under both profiles (the plan follows gpu.variants.profile)', async () => {
    const before = gpu.variants.profile;
    try {
      for (const p of ['cpu', 'gpu'] as const) {
        gpu.variants.profile = p;
        const entry = gemmPlan(gpu, 260, 132, 264, 1, false, true).kernel.entry;
        expect(entry).toBe(chooseGemmVariant(260, 132, 264, 1, false, true, p));
        const A = randArr([260, 264]);
        const B = randArr([132, 264]);
        const got = await tidy(() => ops.matmul(up(A), up(B), { transB: true })).read();
        expect(ref.relMaxError(got, ref.matmul(A, B, false, true).data)).toBeLessThan(TOL * Math.sqrt(264));
      }
    } finally {
      gpu.variants.profile = before;
    }
  });

  it('a forced variant runs where it fits, and is checked against the oracle', async () => {
    try {
      gpu.variants.force(GEMM, 'fast4x16');
      expect(gemmPlan(gpu, 64, 64, 64, 1, false, false).kernel.entry).toBe('fast4x16');
      // 65 is not vec4-aligned: the forced aligned variant does not fit, the general kernel runs
      expect(gemmPlan(gpu, 65, 65, 65, 1, false, false).kernel.entry).toBe('main');
      const A = randArr([36, 20]);
      const B = randArr([20, 24]);
      const got = await tidy(() => ops.matmul(up(A), up(B))).read();
      expect(ref.relMaxError(got, ref.matmul(A, B).data)).toBeLessThan(TOL * Math.sqrt(20));
      expect(() => gpu.variants.force(GEMM, 'nope' as never)).toThrow(/gemm: no variant 'nope'/);
    } finally {
      gpu.variants.force(GEMM, null);
    }
    expect(gpu.variants.forced(GEMM)).toBeNull();
  });

  it('shaders/gemm.wgsl is what scripts/gen-gemm.mjs generates', () => {
    expect(() => execFileSync('node', ['scripts/gen-gemm.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
