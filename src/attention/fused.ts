/**
 * Causal self-attention on the GPU. `causalAttention` is the fused kernel (shaders/attention-fused.wgsl:
 * no N × N buffer, online softmax, the row log-sum-exps kept for a backward that recomputes the
 * probabilities tile by tile); `attention3Pass` is the unfused baseline built from tensor ops
 * (QKᵀ GEMM, causal mask + row softmax, PV GEMM). Both take Q, K, V of shape [heads, n, d] or
 * [batch, heads, n, d] and return the same shape; both join autograd.
 */
import fusedSrc from '../../shaders/attention-fused.wgsl?raw';
import type { Gpu, Kernel } from '../gpu/device';
import { LimitError, ShapeError } from '../gpu/errors';
import { needsGrad, record } from '../tensor/autograd';
import { add, matmul, softmax } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';

/** Largest head dimension the fused kernels hold in registers. */
export const MAX_HEAD_DIM = 128;
/** Rows per workgroup (queries in the forward and dQ, keys in dK dV). */
export const ROWS = 64;

/**
 * Head dims with entry points unrolled into named values (scripts/gen-attention.mjs: `forward_d64`,
 * `dq_d64`, `dkv_d64`, and the sparse `forward_d64`): SwiftShader turns every dynamically indexed
 * local array access into a per-lane gather, so the general loops run about half as fast. 16 is the
 * shipped tiny transformer's head dim, 64 the benches'.
 */
export const UNROLLED_HEAD_DIMS: readonly number[] = [16, 64];

/** The entry point for head dim d: the unrolled one where it exists, else the general one with D4 = d / 4. */
export function headDimKernel(name: string, code: string, entry: string, d: number): Kernel {
  return UNROLLED_HEAD_DIMS.includes(d)
    ? { name, code, entry: `${entry}_d${d}` }
    : { name, code, entry, constants: { D4: d / 4 } };
}

export const fusedKernel = (entry: 'forward' | 'delta_rows' | 'dq' | 'dkv', d: number): Kernel =>
  entry === 'delta_rows'
    ? { name: 'attention-fused', code: fusedSrc, entry, constants: { D4: d / 4 } }
    : headDimKernel('attention-fused', fusedSrc, entry, d);

/** The fused kernels for head dim d (compiled per head dim: the row loops have a fixed length). */
export function attentionKernels(d = 64): Kernel[] {
  return (['forward', 'delta_rows', 'dq', 'dkv'] as const).map((e) => fusedKernel(e, d));
}

export interface AttentionShape {
  /** batch × heads: independent attention problems. */
  heads: number;
  n: number;
  d: number;
}

const fmt = (t: Tensor) => `[${t.shape.join(', ')}]`;

/** Check Q, K, V against each other and against the adapter's limits; nothing is allocated. */
export function checkAttention(q: Tensor, k: Tensor, v: Tensor, what = 'attention'): AttentionShape {
  if (q.gpu !== k.gpu || q.gpu !== v.gpu) throw new ShapeError(`${what}: Q, K, V live on different devices`);
  if (q.rank < 3 || q.rank > 4)
    throw new ShapeError(`${what}: Q must be [heads, n, d] or [batch, heads, n, d], got ${fmt(q)}`);
  for (const [name, t] of [
    ['K', k],
    ['V', v],
  ] as const)
    if (t.rank !== q.rank || t.shape.some((s, i) => s !== q.shape[i]))
      throw new ShapeError(
        `${what}: ${name} ${fmt(t)} does not match Q ${fmt(q)} (sequence length n and head dim d must agree)`,
      );
  const n = q.shape[q.rank - 2];
  const d = q.shape[q.rank - 1];
  const heads = q.size / (n * d);
  if (d > MAX_HEAD_DIM)
    throw new ShapeError(`${what}: head dim d = ${d} is over the fused kernel's limit of ${MAX_HEAD_DIM}`);
  if (d % 4 !== 0) throw new ShapeError(`${what}: head dim d = ${d} must be a multiple of 4 (vec4 rows)`);
  checkLimits(q.gpu, { heads, n, d }, what);
  return { heads, n, d };
}

/** The adapter limits a fused attention of this shape needs (before anything is allocated). */
export function checkLimits(gpu: Gpu, s: AttentionShape, what = 'attention'): void {
  const lim = gpu.info.limits;
  gpu.checkStorageSize(s.heads * s.n * s.d * 4, `${what}: Q, K, V, O of ${s.heads} heads × ${s.n} × ${s.d}`);
  const blocks = Math.ceil(s.n / ROWS);
  const max = lim.maxComputeWorkgroupsPerDimension;
  if (blocks > max)
    throw new LimitError(
      'maxComputeWorkgroupsPerDimension',
      max,
      blocks,
      `${what} with n = ${s.n} (row blocks)`,
    );
  if (s.heads > max)
    throw new LimitError('maxComputeWorkgroupsPerDimension', max, s.heads, `${what} with ${s.heads} heads`);
}

const uniforms = (s: AttentionShape, scale: number) => ({ n: s.n, d: s.d, scale, heads: s.heads });
const grid = (s: AttentionShape): [number, number] => [Math.ceil(s.n / ROWS), s.heads];

/** The fused forward: O and the row log-sum-exps lse ([heads, n], natural log). No autograd. */
export function fusedForward(q: Tensor, k: Tensor, v: Tensor, scale?: number): { out: Tensor; lse: Tensor } {
  const s = checkAttention(q, k, v, 'causalAttention');
  const sc = scale ?? 1 / Math.sqrt(s.d);
  const gpu = q.gpu;
  const out = Tensor.empty(gpu, q.shape, 'The attention output');
  const lse = Tensor.empty(gpu, [s.heads, s.n], 'The attention log-sum-exps');
  gpu.dispatch(
    fusedKernel('forward', s.d),
    { q: q.buffer, k: k.buffer, v: v.buffer, out: out.buffer, lse: lse.buffer },
    uniforms(s, sc),
    grid(s),
  );
  return { out, lse };
}

/** The fused backward: dQ, dK, dV from dO, O and lse (four dispatches: delta, dQ, dK dV). */
export function fusedBackward(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  o: Tensor,
  lse: Tensor,
  dO: Tensor,
  scale?: number,
): { dq: Tensor; dk: Tensor; dv: Tensor } {
  const s = checkAttention(q, k, v, 'causalAttention backward');
  if (dO.size !== q.size)
    throw new ShapeError(`causalAttention backward: dO ${fmt(dO)} does not match Q ${fmt(q)}`);
  const sc = scale ?? 1 / Math.sqrt(s.d);
  const gpu = q.gpu;
  const u = uniforms(s, sc);
  const delta = Tensor.empty(gpu, [s.heads, s.n], 'The attention backward deltas');
  gpu.dispatch(
    fusedKernel('delta_rows', s.d),
    { o: o.buffer, dout: dO.buffer, lse: delta.buffer },
    u,
    grid(s),
  );
  const dq = Tensor.empty(gpu, q.shape, 'dQ');
  gpu.dispatch(
    fusedKernel('dq', s.d),
    {
      q: q.buffer,
      k: k.buffer,
      v: v.buffer,
      dout: dO.buffer,
      lse_in: lse.buffer,
      delta: delta.buffer,
      out: dq.buffer,
    },
    u,
    grid(s),
  );
  const dk = Tensor.empty(gpu, q.shape, 'dK');
  const dv = Tensor.empty(gpu, q.shape, 'dV');
  gpu.dispatch(
    fusedKernel('dkv', s.d),
    {
      q: q.buffer,
      k: k.buffer,
      v: v.buffer,
      dout: dO.buffer,
      lse_in: lse.buffer,
      delta: delta.buffer,
      dk: dk.buffer,
      out: dv.buffer,
    },
    u,
    grid(s),
  );
  delta.dispose();
  return { dq, dk, dv };
}

export interface AttentionOptions {
  /** Logit scale (default 1/√d). */
  scale?: number;
}

/**
 * Fused causal attention softmax(Q·Kᵀ·scale, causal)·V with its backward. The log-sum-exps live as
 * long as the output's graph (dispose them with the enclosing tidy(), like any intermediate).
 */
export function causalAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const { out, lse } = fusedForward(q, k, v, opts.scale);
  if (!needsGrad(q, k, v)) {
    lse.dispose();
    return out;
  }
  return record(out, [q, k, v], (g) => {
    // Tensor.backward disposes the gradients of parents that need none.
    const { dq, dk, dv } = fusedBackward(q, k, v, out, lse, g, opts.scale);
    return [dq, dk, dv];
  });
}

const masks = new WeakMap<Gpu, Map<number, Tensor>>();

/** The additive causal mask (0 on and below the diagonal, −1e30 above), cached per device and n. */
function causalMask(gpu: Gpu, n: number): Tensor {
  let m = masks.get(gpu);
  if (!m) {
    m = new Map();
    masks.set(gpu, m);
  }
  let t = m.get(n);
  if (!t || t.disposed) {
    const data = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) data[i * n + j] = -1e30;
    t = Tensor.fromArray(gpu, data, [n, n]).keep();
    m.set(n, t);
  }
  return t;
}

/** Free the cached causal masks of a device (the baseline keeps one per n). */
export function releaseCausalMasks(gpu: Gpu): void {
  for (const t of masks.get(gpu)?.values() ?? []) t.dispose();
  masks.delete(gpu);
}

/**
 * The unfused baseline: S = Q·Kᵀ·scale (GEMM, [heads, n, n] in memory), S + causal mask, row softmax,
 * O = P·V (GEMM). Its backward is the ops' own (GEMMs and the softmax backward).
 */
export function attention3Pass(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const s = checkAttention(q, k, v, 'attention3Pass');
  q.gpu.checkStorageSize(
    s.heads * s.n * s.n * 4,
    `attention3Pass: the ${s.heads} × ${s.n} × ${s.n} score matrix`,
  );
  const sc = opts.scale ?? 1 / Math.sqrt(s.d);
  const q3 = q.reshape([s.heads, s.n, s.d]);
  const k3 = k.reshape([s.heads, s.n, s.d]);
  const v3 = v.reshape([s.heads, s.n, s.d]);
  const scores = matmul(q3, k3, { transB: true, alpha: sc });
  const masked = add(scores, causalMask(q.gpu, s.n));
  const p = softmax(masked);
  const o = matmul(p, v3);
  const out = o.reshape(q.shape);
  if (!needsGrad(q, k, v)) for (const t of [q3, k3, v3, scores, masked, p, o]) t.dispose();
  return out;
}
