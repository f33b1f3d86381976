/**
 * Attention benches (src/attention), D = 64, N = 1024 / 2048 / 4096, 1 and 8 heads, seeded
 * synthetic heads (src/attention/synthetic.ts):
 *   attention-fwd  fused causal forward vs the 3-pass baseline (QKᵀ GEMM, masked softmax, PV GEMM);
 *   attention-bwd  forward + backward: fused (dQ, dK, dV recomputing P) vs the 3-pass ops' autograd;
 *   attention-sparse  each pattern at ≈10% and ≈3% density vs the fused dense forward:
 *                  `<type> kernel` (index built once, kernel only), `<type> index` (index build only)
 *                  and `<type> index+kernel`; the budget, achieved density and recall are in the note.
 * Budgets: per pattern, the candidate (a-shape: local window; vertical-slash: vertical and slash
 * scaled together; block-sparse: top-k) whose achieved density (counted from the built index) is
 * nearest the target; recall comes from indexQuality (the dense fused row log-sum-exps).
 * Every bench checks sampled output rows of head 0 (first, last and four between) against an f64
 * oracle (dense attention, or attention restricted to the index's mask) before it is timed; the
 * backward benches check dQ, dK and dV of those rows against an f64 backward.
 * `--quick` (the committed run, sized to ≈ 15 min on a shared 2-core SwiftShader machine) runs 1 head
 * at every N and 8 heads at N = 1024, the backward at N ≤ 2048; the full run adds 8 heads at 2048
 * and 4096 and the backward at 4096 (hours on SwiftShader: 8 heads are 8× the work of one, on two
 * cores they add no parallelism). The 3-pass baseline needs three heads × N × N score buffers: it is
 * left out at 8 heads × 4096 (3 × 512 MiB).
 * Flops: 4·d per computed (query, key) entry (QKᵀ and PV), causal half for fused and sparse, the
 * full N × N for the 3-pass GEMMs.
 */
import { attention3Pass, causalAttention, fusedForward } from '../src/attention/fused';
import type { SparsePattern } from '../src/attention/patterns';
import { buildIndex } from '../src/attention/patterns';
import type { SparseIndex } from '../src/attention/sparse';
import { indexQuality, sparseAttention } from '../src/attention/sparse';
import { syntheticHeads } from '../src/attention/synthetic';
import { registerBench } from '../src/bench/registry';
import type { Gpu } from '../src/gpu/device';
import { Tensor, tidy } from '../src/tensor/tensor';

const D = 64;
const SIZES = [1024, 2048, 4096];
const HEADS = [1, 8];
const DENSITIES = [0.1, 0.03];

interface Inputs {
  q: Tensor;
  k: Tensor;
  v: Tensor;
  data: ReturnType<typeof syntheticHeads>;
  dispose(): void;
}

function inputs(gpu: Gpu, h: number, n: number, seed: number, grad = false): Inputs {
  const data = syntheticHeads(h, n, D, seed);
  const [q, k, v] = [data.q, data.k, data.v].map((x) => Tensor.fromArray(gpu, x, [h, n, D]).trainable(grad));
  return {
    q,
    k,
    v,
    data,
    dispose() {
      for (const t of [q, k, v]) t.dispose();
    },
  };
}

/** Rows (head 0) checked against f64 attention: first, last and a few between. */
const checkRows = (n: number) => [0, 1, Math.floor(n / 3), Math.floor(n / 2), n - 2, n - 1];

/** f64 causal attention of one row of head 0, restricted to `keep` when given. */
function refRow(x: Inputs, n: number, i: number, keep?: (j: number) => boolean): Float64Array {
  const { q, k, v } = x.data;
  const s = new Float64Array(i + 1);
  let m = -Infinity;
  for (let j = 0; j <= i; j++) {
    if (keep && !keep(j)) {
      s[j] = -Infinity;
      continue;
    }
    let dot = 0;
    for (let c = 0; c < D; c++) dot += q[i * D + c] * k[j * D + c];
    s[j] = dot / Math.sqrt(D);
    m = Math.max(m, s[j]);
  }
  let l = 0;
  for (let j = 0; j <= i; j++) if (s[j] > -Infinity) l += Math.exp(s[j] - m);
  const o = new Float64Array(D);
  for (let j = 0; j <= i; j++) {
    if (s[j] === -Infinity) continue;
    const p = Math.exp(s[j] - m) / l;
    for (let c = 0; c < D; c++) o[c] += p * v[j * D + c];
  }
  void n;
  return o;
}

async function checkOutput(
  out: Tensor,
  x: Inputs,
  n: number,
  keep?: (i: number) => (j: number) => boolean,
): Promise<number> {
  const got = await out.read();
  let err = 0;
  let scale = 0;
  for (const i of checkRows(n)) {
    const want = refRow(x, n, i, keep?.(i));
    for (let c = 0; c < D; c++) {
      err = Math.max(err, Math.abs(got[i * D + c] - want[c]));
      scale = Math.max(scale, Math.abs(want[c]));
    }
  }
  const rel = err / (1 + scale);
  if (!(rel < 1e-4)) throw new Error(`attention output differs from f64 on sampled rows: ${rel}`);
  return rel;
}

/**
 * f64 backward of causal attention, head 0, for the given rows: dQ of query row i, dK and dV of key
 * row j. P, O and Dᵢ = dOᵢ·Oᵢ come from every query (O(n²d), once per bench setup).
 */
function refGrads(x: Inputs, dO: Float32Array, n: number, rows: number[]) {
  const { q, k, v } = x.data;
  const sc = 1 / Math.sqrt(D);
  const dot = (a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number) => {
    let t = 0;
    for (let c = 0; c < D; c++) t += a[i * D + c] * b[j * D + c];
    return t;
  };
  // P row i (j ≤ i) and Dᵢ
  const probs = (i: number) => {
    const s = new Float64Array(i + 1);
    let m = -Infinity;
    for (let j = 0; j <= i; j++) m = Math.max(m, (s[j] = dot(q, i, k, j) * sc));
    let l = 0;
    for (let j = 0; j <= i; j++) l += s[j] = Math.exp(s[j] - m);
    for (let j = 0; j <= i; j++) s[j] /= l;
    let di = 0;
    for (let c = 0; c < D; c++) {
      let o = 0;
      for (let j = 0; j <= i; j++) o += s[j] * v[j * D + c];
      di += dO[i * D + c] * o;
    }
    return { p: s, di };
  };
  const dq = new Map<number, Float64Array>();
  const dk = new Map<number, Float64Array>();
  const dv = new Map<number, Float64Array>();
  for (const j of rows) {
    dk.set(j, new Float64Array(D));
    dv.set(j, new Float64Array(D));
  }
  for (let i = 0; i < n; i++) {
    const { p, di } = probs(i);
    if (rows.includes(i)) {
      const r = new Float64Array(D);
      for (let j = 0; j <= i; j++) {
        const ds = p[j] * (dot(dO, i, v, j) - di) * sc;
        for (let c = 0; c < D; c++) r[c] += ds * k[j * D + c];
      }
      dq.set(i, r);
    }
    for (const j of rows) {
      if (j > i) continue;
      const ds = p[j] * (dot(dO, i, v, j) - di) * sc;
      const rk = dk.get(j)!;
      const rv = dv.get(j)!;
      for (let c = 0; c < D; c++) {
        rk[c] += ds * q[i * D + c];
        rv[c] += p[j] * dO[i * D + c];
      }
    }
  }
  return { dq, dk, dv };
}

/** The fused dense forward on seeded heads, its sampled rows checked against f64 before timing. */
async function fusedDenseSetup(gpu: Gpu, h: number, n: number) {
  const x = inputs(gpu, h, n, 1);
  const run = () => {
    const r = fusedForward(x.q, x.k, x.v);
    r.lse.dispose();
    return r.out;
  };
  const first = run();
  const err = await checkOutput(first, x, n);
  first.dispose();
  return { check: async () => err, run: () => run().dispose(), dispose: x.dispose };
}

const causalFlops = (h: number, n: number) => h * ((n * (n + 1)) / 2) * 4 * D;

for (const n of SIZES)
  for (const h of HEADS) {
    const big = h * n * n * 4 * 3 > 2 ** 30;
    const shape = `h${h} n${n} d${D}`;
    const quick = h === 1 || n === 1024;
    const quickBwd = h === 1 && n <= 2048;
    registerBench({
      group: 'attention-fwd',
      name: 'fused',
      shape,
      flops: causalFlops(h, n),
      baseline: big ? undefined : '3-pass',
      quick,
      setup: ({ gpu }) => fusedDenseSetup(gpu, h, n),
    });
    if (!big)
      registerBench({
        group: 'attention-fwd',
        name: '3-pass',
        shape,
        flops: h * n * n * 4 * D,
        quick,
        async setup({ gpu }) {
          const x = inputs(gpu, h, n, 1);
          const first = tidy(() => attention3Pass(x.q, x.k, x.v));
          const err = await checkOutput(first, x, n);
          first.dispose();
          return {
            check: async () => err,
            run: () => tidy(() => void attention3Pass(x.q, x.k, x.v)),
            dispose: x.dispose,
          };
        },
      });
    for (const [name, fn] of [
      ['fused', causalAttention],
      ['3-pass', attention3Pass],
    ] as const) {
      if (big && name === '3-pass') continue;
      registerBench({
        group: 'attention-bwd',
        name,
        shape,
        flops: name === 'fused' ? causalFlops(h, n) * 3 : h * n * n * 4 * D * 3,
        baseline: big || name === '3-pass' ? undefined : '3-pass',
        quick: quickBwd,
        async setup({ gpu, rng }) {
          const x = inputs(gpu, h, n, 1, true);
          const g = Tensor.randn(gpu, [h, n, D], rng);
          const step = () => {
            tidy(() => fn(x.q, x.k, x.v).backward(g));
            for (const t of [x.q, x.k, x.v]) {
              t.grad?.dispose();
              t.grad = null;
            }
          };
          // Check: dQ, dK and dV of head 0 on the sampled rows against the f64 backward.
          tidy(() => fn(x.q, x.k, x.v).backward(g));
          const got = {
            dq: await x.q.grad!.read(),
            dk: await x.k.grad!.read(),
            dv: await x.v.grad!.read(),
          };
          for (const t of [x.q, x.k, x.v]) {
            t.grad?.dispose();
            t.grad = null;
          }
          const want = refGrads(x, await g.read(), n, checkRows(n));
          let err = 0;
          let scale = 0;
          for (const key of ['dq', 'dk', 'dv'] as const)
            for (const [i, row] of want[key]) {
              for (let c = 0; c < D; c++) {
                err = Math.max(err, Math.abs(got[key][i * D + c] - row[c]));
                scale = Math.max(scale, Math.abs(row[c]));
              }
            }
          const rel = err / (1 + scale);
          if (!(rel < 1e-4)) throw new Error(`attention gradients differ from f64 on sampled rows: ${rel}`);
          return {
            check: async () => rel,
            run: step,
            dispose() {
              x.dispose();
              g.dispose();
            },
          };
        },
      });
    }

    for (const target of DENSITIES) {
      const sparseShape = `${shape} ≈${Math.round(target * 100)}%`;
      registerBench({
        group: 'attention-sparse',
        name: 'fused dense',
        shape: sparseShape,
        flops: causalFlops(h, n),
        quick,
        setup: ({ gpu }) => fusedDenseSetup(gpu, h, n),
      });
      for (const type of ['a-shape', 'vertical-slash', 'block-sparse'] as const) {
        // The budget is searched once per case (in the first part's setup) and shared by the parts.
        let chosen: Promise<Chosen> | null = null;
        for (const part of ['kernel', 'index', 'index+kernel'] as const) {
          const spec = {
            group: 'attention-sparse',
            name: `${type} ${part}`,
            note: '',
            shape: sparseShape,
            baseline: 'fused dense',
            quick,
            async setup({ gpu }: { gpu: Gpu }) {
              const x = inputs(gpu, h, n, 1);
              chosen ??= choose(x, type, target);
              const c = await chosen;
              const p = c.pattern;
              spec.note = `${JSON.stringify(p)} density ${c.density.toFixed(4)} recall ${c.recall.toFixed(4)}`;
              const ix = buildIndex(x.q, x.k, p);
              const head0 = (await ix.read())[0];
              const first = sparseAttention(x.q, x.k, x.v, ix);
              const err = await checkOutput(first, x, n, (i) => {
                const b = Math.floor(i / 64);
                const keys = new Set<number>();
                for (let t = 0; t < head0.blockCount[b]; t++)
                  for (let j = head0.blockOffset[b * head0.nnzS + t], e = j + 64; j < e; j++) keys.add(j);
                for (let c = 0; c < head0.columnCount[b]; c++)
                  keys.add(head0.columnIndex[b * head0.nnzV + c]);
                return (j) => keys.has(j);
              });
              first.dispose();
              const run =
                part === 'kernel'
                  ? () => sparseAttention(x.q, x.k, x.v, ix).dispose()
                  : part === 'index'
                    ? () => buildIndex(x.q, x.k, p).dispose()
                    : () => {
                        const j = buildIndex(x.q, x.k, p);
                        sparseAttention(x.q, x.k, x.v, j).dispose();
                        j.dispose();
                      };
              return {
                check: async () => err,
                run,
                flops: part === 'index' ? 0 : causalFlops(h, n) * c.density,
                dispose() {
                  ix.dispose();
                  x.dispose();
                },
              };
            },
          };
          registerBench(spec);
        }
      }
    }
  }

interface Chosen {
  pattern: SparsePattern;
  /** Mean over heads. */
  density: number;
  recall: number;
}

/** Computed causal entries / (n(n+1)/2), mean over heads, counted from the index read back. */
async function indexDensity(ix: SparseIndex): Promise<number> {
  const refs = await ix.read();
  let sum = 0;
  for (const r of refs) {
    let count = 0;
    for (let b = 0; b < r.rows; b++) {
      const r0 = b * 64;
      const r1 = Math.min(r.n, r0 + 64) - 1;
      // Rows i in [r0, r1] see key j when j ≤ i: a block [o, o + 64) gives Σ_i max(0, min(i, o + 63) − o + 1).
      for (let i = r0; i <= r1; i++) {
        for (let t = 0; t < r.blockCount[b]; t++) {
          const o = r.blockOffset[b * r.nnzS + t];
          count += Math.max(0, Math.min(i, o + 63) - o + 1);
        }
        for (let c = 0; c < r.columnCount[b]; c++) if (r.columnIndex[b * r.nnzV + c] <= i) count++;
      }
    }
    sum += count / ((r.n * (r.n + 1)) / 2);
  }
  return sum / refs.length;
}

/** The pattern's candidate budgets, sparse to dense. */
function candidates(type: SparsePattern['type'], n: number): SparsePattern[] {
  const rows = Math.ceil(n / 64);
  const out: SparsePattern[] = [];
  if (type === 'a-shape') for (let m = 0; m < rows; m++) out.push({ type, init: 4, local: 1 + 64 * m });
  if (type === 'block-sparse') for (let t = 1; t <= rows; t++) out.push({ type, topk: t });
  if (type === 'vertical-slash')
    for (let f = 0.002; f < 0.6; f *= 1.35)
      out.push({
        type,
        vertical: Math.max(8, Math.round(f * n)),
        slash: Math.max(4, Math.round((f * n) / 32)),
      });
  return out;
}

/** The candidate whose achieved density is nearest `target` (densities grow with the budget). */
async function choose(x: Inputs, type: SparsePattern['type'], target: number): Promise<Chosen> {
  let best: { pattern: SparsePattern; density: number } | null = null;
  for (const pattern of candidates(type, x.q.shape[1])) {
    const ix = buildIndex(x.q, x.k, pattern);
    const density = await indexDensity(ix);
    ix.dispose();
    if (!best || Math.abs(density - target) < Math.abs(best.density - target)) best = { pattern, density };
    if (density > target) break;
  }
  if (!best) throw new Error(`no ${type} budget`);
  const ix = buildIndex(x.q, x.k, best.pattern);
  const qual = await indexQuality(x.q, x.k, ix);
  ix.dispose();
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  return { pattern: best.pattern, density: mean(qual.density), recall: mean(qual.recall) };
}
