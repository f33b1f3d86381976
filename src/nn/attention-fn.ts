/**
 * Causal multi-head attention as ONE function. Per head it runs the fused causal kernel of
 * src/attention/fused.ts when the head dims allow (q, k, v head dims equal, a multiple of 4, ≤ 128),
 * else the composition from src/tensor ops:
 *   per head h: q_h = q·S_hᵀ (S_h [dh, d] selects the head's columns, a constant GEMM),
 *   P = softmax(q_h·k_hᵀ·scale + M) with M the causal mask (−1e9 above the diagonal),
 *   y += (P·v_h)·S_h (back into the head's columns).
 * Every step is a differentiable op, so the backward comes from the ops.
 */
import { causalAttention as fusedAttention, MAX_HEAD_DIM } from '../attention/fused';
import { add, matmul, softmax } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';

export interface AttentionConsts {
  /** [T, T] additive causal mask for each sequence length T used. */
  mask(T: number): Tensor;
  /** S_h [dh, d] for head h (of `heads`), and S for the value / output side [dv, dOut]. */
  select(h: number, heads: number, d: number): Tensor;
}

/** Constants cached per (gpu, shape) and kept for the model's lifetime (disposed by its owner). */
export class AttentionCache implements AttentionConsts {
  private readonly masks = new Map<number, Tensor>();
  private readonly selects = new Map<string, Tensor>();
  constructor(readonly gpu: Tensor['gpu']) {}

  mask(T: number): Tensor {
    let m = this.masks.get(T);
    if (!m) {
      const a = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) a[i * T + j] = -1e9;
      m = Tensor.fromArray(this.gpu, a, [T, T]).keep();
      this.masks.set(T, m);
    }
    return m;
  }

  select(h: number, heads: number, d: number): Tensor {
    const key = `${h}/${heads}/${d}`;
    let s = this.selects.get(key);
    if (!s) {
      const dh = d / heads;
      const a = new Float32Array(dh * d);
      for (let i = 0; i < dh; i++) a[i * d + h * dh + i] = 1;
      s = Tensor.fromArray(this.gpu, a, [dh, d]).keep();
      this.selects.set(key, s);
    }
    return s;
  }

  /** [heads·d, d]: `heads` identity blocks stacked (repeat per head / sum over heads). */
  stack(heads: number, d: number): Tensor {
    const key = `stack/${heads}/${d}`;
    let s = this.selects.get(key);
    if (!s) {
      const a = new Float32Array(heads * d * d);
      for (let h = 0; h < heads; h++) for (let i = 0; i < d; i++) a[(h * d + i) * d + i] = 1;
      s = Tensor.fromArray(this.gpu, a, [heads * d, d]).keep();
      this.selects.set(key, s);
    }
    return s;
  }

  dispose(): void {
    for (const t of [...this.masks.values(), ...this.selects.values()]) t.dispose();
    this.masks.clear();
    this.selects.clear();
  }
}

/**
 * q, k [B, T, heads·dk], v [B, T, heads·dv] → [B, T, heads·dv]; softmax(q_h·k_hᵀ·scale + causal)·v_h
 * per head (scale default 1/√dk).
 */
export function causalAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  heads: number,
  consts: AttentionConsts,
  scale?: number,
): Tensor {
  const [B, T, dq] = q.shape;
  const dv = v.shape[2];
  if (k.shape[2] !== dq || dq % heads !== 0 || dv % heads !== 0)
    throw new Error(
      `causalAttention: q ${q.shape}, k ${k.shape}, v ${v.shape} do not split into ${heads} heads`,
    );
  const dk = dq / heads;
  const s = scale ?? 1 / Math.sqrt(dk);
  const mask = consts.mask(T);
  const q2 = q.reshape([B * T, dq]);
  const k2 = k.reshape([B * T, dq]);
  const v2 = v.reshape([B * T, dv]);
  let out: Tensor | null = null;
  for (let h = 0; h < heads; h++) {
    const Sq = consts.select(h, heads, dq);
    const Sv = consts.select(h, heads, dv);
    const one = heads === 1;
    const qh = (one ? q2 : matmul(q2, Sq, { transB: true })).reshape([B, T, dk]);
    const kh = (one ? k2 : matmul(k2, Sq, { transB: true })).reshape([B, T, dk]);
    const vh = (one ? v2 : matmul(v2, Sv, { transB: true })).reshape([B, T, dv / heads]);
    // The fused kernel (src/attention/fused.ts: no T × T buffer, its own backward) when the head
    // dims allow it (equal for q and v, a multiple of 4, ≤ 128); else the composed ops.
    const fused = dk === dv / heads && dk % 4 === 0 && dk <= MAX_HEAD_DIM;
    const yh = (
      fused
        ? fusedAttention(qh, kh, vh, { scale: s })
        : matmul(softmax(add(matmul(qh, kh, { transB: true, alpha: s }), mask)), vh)
    ).reshape([B * T, dv / heads]);
    const placed = one ? yh : matmul(yh, Sv);
    out = out ? add(out, placed) : placed;
  }
  return (out as Tensor).reshape([B, T, dv]);
}
