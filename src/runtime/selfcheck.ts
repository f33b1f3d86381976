/**
 * Kernel self-check: run a few real kernels on the current device and compare each with the
 * float64 oracle (src/reference/dense.ts). The page runs it in a worker on load, so a user sees
 * at once whether their GPU computes what the engine expects. Shapes are awkward on purpose
 * (1, 3, 17, 65, 257: nothing a multiple of a tile); inputs are rounded to f32 before the oracle
 * sees them, so the error measured is the kernel's alone.
 *
 * Error measure: relMaxError = max |got − want| / (1 + max |want|). Bounds are a small multiple of
 * f32 rounding (eps = 1.2e-7) for the operation's length, loose enough for real GPUs whose exp /
 * tanh are only accurate to a few ulp (WGSL allows it) and tight enough to catch a wrong index.
 */
import type { AdapterSummary, Gpu } from '../gpu/device';
import * as ref from '../reference/dense';
import * as ops from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';

export interface CheckResult {
  name: string;
  /** What was computed, e.g. the shapes. */
  detail: string;
  maxError: number;
  bound: number;
  ok: boolean;
  /** Wall time of the check in ms (compile + run + readback), for the curious; not a benchmark. */
  ms: number;
}

export interface Check {
  name: string;
  detail: string;
  bound: number;
  /** Returns the measured error. */
  run: (gpu: Gpu, rng: Rng) => Promise<number>;
}

const f32 = (a: ref.Arr): ref.Arr => ref.arr(Float32Array.from(a.data), a.shape);
const randArr = (rng: Rng, shape: number[], std = 1): ref.Arr =>
  f32(
    ref.arr(
      rng.normals(
        shape.reduce((p, q) => p * q, 1),
        std,
      ),
      shape,
    ),
  );
const up = (gpu: Gpu, a: ref.Arr) => Tensor.fromArray(gpu, a.data, a.shape);

async function readAndDispose(t: Tensor): Promise<Float32Array> {
  try {
    return await t.read();
  } finally {
    t.dispose();
  }
}

/** f32 GEMM: error grows like sqrt(K)·eps per unit of |a||b|. */
const gemmBound = (K: number) => 2e-5 * Math.sqrt(K);

function gemmCheck(M: number, K: number, N: number, transA: boolean, transB: boolean, alpha: number): Check {
  const opA = transA ? 'Aᵀ' : 'A';
  const opB = transB ? 'Bᵀ' : 'B';
  return {
    name: `matmul ${opA}·${opB}`,
    detail: `${M}×${K} · ${K}×${N}, α=${alpha}`,
    bound: gemmBound(K),
    run: async (gpu, rng) => {
      const A = randArr(rng, transA ? [K, M] : [M, K]);
      const B = randArr(rng, transB ? [N, K] : [K, N]);
      const want = ref.matmul(A, B, transA, transB, alpha);
      const got = await readAndDispose(
        tidy(() => ops.matmul(up(gpu, A), up(gpu, B), { transA, transB, alpha })),
      );
      return ref.relMaxError(got, want.data);
    },
  };
}

export const CHECKS: readonly Check[] = [
  gemmCheck(65, 17, 33, false, false, 1),
  gemmCheck(17, 257, 3, true, false, 0.5),
  gemmCheck(33, 65, 130, false, true, 1),
  gemmCheck(1, 3, 257, true, true, -2),
  {
    name: 'batched matmul',
    detail: '[4, 17, 9] · [9, 5] (batch-1 broadcast)',
    bound: gemmBound(9),
    run: async (gpu, rng) => {
      const A = randArr(rng, [4, 17, 9]);
      const B = randArr(rng, [9, 5]);
      const want = ref.matmul(A, B);
      const got = await readAndDispose(tidy(() => ops.matmul(up(gpu, A), up(gpu, B))));
      return ref.relMaxError(got, want.data);
    },
  },
  {
    name: 'softmax',
    detail: 'rows of [5, 257], logits σ=3',
    bound: 1e-5,
    run: async (gpu, rng) => {
      const A = randArr(rng, [5, 257], 3);
      const got = await readAndDispose(tidy(() => ops.softmax(up(gpu, A))));
      return ref.relMaxError(got, ref.softmax(A).data);
    },
  },
  {
    name: 'sum over an axis',
    detail: '[4, 65, 3] summed over axis 1',
    bound: 1e-5,
    run: async (gpu, rng) => {
      const A = randArr(rng, [4, 65, 3]);
      const got = await readAndDispose(tidy(() => ops.sum(up(gpu, A), 1)));
      return ref.relMaxError(got, ref.reduce(A, 'sum', 1).data);
    },
  },
  {
    name: 'Frobenius norm',
    detail: '‖X‖ of [17, 257]',
    bound: 1e-5,
    run: async (gpu, rng) => {
      const A = randArr(rng, [17, 257]);
      const got = await readAndDispose(tidy(() => ops.norm(up(gpu, A), 'fro')));
      return ref.relMaxError(got, ref.reduce(A, 'fro').data);
    },
  },
  {
    name: 'gelu',
    detail: 'elementwise on [3, 257], σ=2',
    bound: 1e-5,
    run: async (gpu, rng) => {
      const A = randArr(rng, [3, 257], 2);
      const got = await readAndDispose(tidy(() => ops.gelu(up(gpu, A))));
      return ref.relMaxError(got, ref.map(A, ref.unaryFns.gelu).data);
    },
  },
  {
    name: 'bias add (broadcast)',
    detail: '[17, 65] + [65]',
    bound: 1e-6,
    run: async (gpu, rng) => {
      const A = randArr(rng, [17, 65]);
      const b = randArr(rng, [65]);
      const got = await readAndDispose(tidy(() => ops.add(up(gpu, A), up(gpu, b))));
      const want = ref.zip(A, b, (x, y) => x + y);
      return ref.relMaxError(got, want.data);
    },
  },
  {
    name: 'backward: gelu(X·Wᵀ)',
    detail: 'dL/dX, dL/dW vs finite differences, X 3×5, W 4×5',
    bound: 1e-4,
    run: async (gpu, rng) => backwardError(gpu, rng),
  },
];

/**
 * L = Σ V ⊙ gelu(X·Wᵀ) with fixed random V: the GPU's gradients for X and W against central
 * differences of the f64 oracle. Returns the larger of the two errors.
 */
async function backwardError(gpu: Gpu, rng: Rng): Promise<number> {
  const X = randArr(rng, [3, 5]);
  const W = randArr(rng, [4, 5]);
  const V = randArr(rng, [3, 4]);
  const loss = (x: ref.Arr, w: ref.Arr) => {
    const y = ref.map(ref.matmul(x, w, false, true), ref.unaryFns.gelu);
    let s = 0;
    for (let i = 0; i < y.data.length; i++) s += y.data[i] * V.data[i];
    return s;
  };
  const gx = ref.numericGrad((v) => loss({ data: v, shape: X.shape }, W), X.data, 1e-5);
  const gw = ref.numericGrad((v) => loss(X, { data: v, shape: W.shape }), W.data, 1e-5);
  const x = up(gpu, X).trainable();
  const w = up(gpu, W).trainable();
  try {
    tidy(() => {
      const y = ops.gelu(ops.matmul(x, w, { transB: true }));
      ops.sum(ops.mul(y, up(gpu, V))).backward();
    });
    const ex = ref.relMaxError(await x.grad!.read(), gx);
    const ew = ref.relMaxError(await w.grad!.read(), gw);
    return Math.max(ex, ew);
  } finally {
    x.dispose();
    w.dispose();
  }
}

export interface SelfCheckOptions {
  seed?: number;
  /** Called before each check starts (index into CHECKS). */
  onStart?: (index: number, name: string) => void;
  /** Called as each check finishes. */
  onResult?: (result: CheckResult, index: number) => void;
}

export const SELF_CHECK_SEED = 20261201;

/**
 * Run every check in order. A check that throws (other than a lost device, which is rethrown) is
 * reported as failed with its message in `detail`, so one bad kernel does not hide the others.
 */
export function runSelfCheck(gpu: Gpu, opts: SelfCheckOptions = {}): Promise<CheckResult[]> {
  return runChecks(gpu, CHECKS, opts);
}

/** Run the given checks (tests pass their own, e.g. one with a deliberately wrong oracle). */
export async function runChecks(
  gpu: Gpu,
  checks: readonly Check[],
  opts: SelfCheckOptions = {},
): Promise<CheckResult[]> {
  const rng = new Rng(opts.seed ?? SELF_CHECK_SEED);
  const results: CheckResult[] = [];
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i];
    opts.onStart?.(i, c.name);
    const t0 = performance.now();
    let result: CheckResult;
    try {
      const err = await c.run(gpu, rng.fork());
      await gpu.sync();
      result = {
        name: c.name,
        detail: c.detail,
        maxError: err,
        bound: c.bound,
        ok: Number.isFinite(err) && err <= c.bound,
        ms: performance.now() - t0,
      };
    } catch (e) {
      if (gpu.lost) throw e;
      result = {
        name: c.name,
        detail: `${c.detail}: ${(e as Error).message}`,
        maxError: Number.NaN,
        bound: c.bound,
        ok: false,
        ms: performance.now() - t0,
      };
    }
    results.push(result);
    opts.onResult?.(result, i);
  }
  return results;
}

// ---------------------------------------------------------------- worker protocol

/** What the UI sends to the self-check worker. */
export type SelfCheckRequest = { type: 'run'; seed?: number };

/** What the self-check worker posts back: plain, structured-cloneable data only. */
export type SelfCheckEvent =
  | { type: 'adapter'; adapter: AdapterSummary }
  | { type: 'plan'; names: string[] }
  | { type: 'start'; index: number; name: string }
  | { type: 'result'; index: number; result: CheckResult }
  | { type: 'done'; ok: boolean; ms: number }
  /** No WebGPU in this browser / worker (WebGPUUnavailableError): the page explains what to do. */
  | { type: 'unavailable'; message: string }
  /** Anything else that went wrong (device lost, a bug): shown as a banner. */
  | { type: 'error'; name: string; message: string };
