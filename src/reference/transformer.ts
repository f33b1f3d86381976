/**
 * Float64 forward of the tiny causal transformer (src/nn/transformer.ts) from a name → values map,
 * plain loops, importing nothing outside src/reference: the oracle for the model's loss and (by
 * finite differences) its gradient. Dense weights, or low-rank ones given as `<name>.B`, `<name>.A`.
 */

import { symmetricFromTriangle } from './nn';

type P = Record<string, Float64Array>;

export interface RefTransformerSpec {
  vocab: number;
  layers: number;
  dModel: number;
  heads: number;
  mlp: boolean;
  attention: 'standard' | 'collapsed' | 'symmetric';
  tiedHead: boolean;
  norm: 'layernorm' | 'rmsnorm';
  bias: boolean;
  embedRank?: number;
}

/** Y [n, out] = X [n, in]·Wᵀ (+ b) for a dense or low-rank weight stored under `name`. */
function linear(p: P, name: string, x: Float64Array, n: number, inp: number, out: number): Float64Array {
  let W = p[`${name}.weight`];
  if (!W) {
    const B = p[`${name}.weight.B`];
    const A = p[`${name}.weight.A`];
    if (!B || !A) throw new Error(`reference: no weight for ${name}`);
    const r = A.length / inp;
    W = new Float64Array(out * inp);
    for (let i = 0; i < out; i++)
      for (let k = 0; k < r; k++)
        for (let j = 0; j < inp; j++) W[i * inp + j] += B[i * r + k] * A[k * inp + j];
  }
  const b = p[`${name}.bias`];
  const y = new Float64Array(n * out);
  for (let r = 0; r < n; r++)
    for (let o = 0; o < out; o++) {
      let acc = b ? b[o] : 0;
      for (let j = 0; j < inp; j++) acc += x[r * inp + j] * W[o * inp + j];
      y[r * out + o] = acc;
    }
  return y;
}

function norm(p: P, name: string, x: Float64Array, n: number, d: number, kind: string): Float64Array {
  const w = p[`${name}.weight`];
  const b = p[`${name}.bias`];
  const y = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let mu = 0;
    if (kind === 'layernorm') {
      for (let j = 0; j < d; j++) mu += x[r * d + j];
      mu /= d;
    }
    let v = 0;
    for (let j = 0; j < d; j++) v += (x[r * d + j] - mu) ** 2;
    const rs = 1 / Math.sqrt(v / d + 1e-5);
    for (let j = 0; j < d; j++) y[r * d + j] = (x[r * d + j] - mu) * rs * w[j] + (b ? b[j] : 0);
  }
  return y;
}

const gelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));

/** Causal attention of one head: q, k [B·T, dk] and v [B·T, dv] with row strides; returns [B·T, dv]. */
function attendHead(
  B: number,
  T: number,
  q: (n: number, j: number) => number,
  k: (n: number, j: number) => number,
  v: (n: number, j: number) => number,
  dk: number,
  dv: number,
  scale: number,
): Float64Array {
  const y = new Float64Array(B * T * dv);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < T; i++) {
      const s = new Float64Array(i + 1);
      let m = -Infinity;
      for (let j = 0; j <= i; j++) {
        let acc = 0;
        for (let c = 0; c < dk; c++) acc += q(b * T + i, c) * k(b * T + j, c);
        s[j] = acc * scale;
        m = Math.max(m, s[j]);
      }
      let z = 0;
      for (let j = 0; j <= i; j++) z += s[j] = Math.exp(s[j] - m);
      for (let j = 0; j <= i; j++)
        for (let c = 0; c < dv; c++) y[(b * T + i) * dv + c] += (s[j] / z) * v(b * T + j, c);
    }
  return y;
}

/** Mean cross-entropy of the model on ids / targets (B × T). */
export function transformerLossRef(
  p: P,
  s: RefTransformerSpec,
  ids: ArrayLike<number>,
  targets: ArrayLike<number>,
  B: number,
  T: number,
): number {
  const d = s.dModel;
  const n = B * T;
  const V = s.vocab;
  // token table (factorised: C·P)
  let E = p['tok_emb.weight'];
  if (!E) {
    const C = p['tok_emb.coords'];
    const Pm = p['tok_emb.primitives'];
    const r = C.length / V;
    E = new Float64Array(V * d);
    for (let i = 0; i < V; i++)
      for (let k = 0; k < r; k++) for (let j = 0; j < d; j++) E[i * d + j] += C[i * r + k] * Pm[k * d + j];
  }
  const Pe = p['pos_emb.weight'];
  let x = new Float64Array(n * d);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < d; j++) x[r * d + j] = E[ids[r] * d + j] + Pe[(r % T) * d + j];
  const h = s.heads;
  for (let l = 0; l < s.layers; l++) {
    const pre = `blocks.${l}`;
    const a = norm(p, `${pre}.ln_1`, x, n, d, s.norm);
    let att: Float64Array;
    if (s.attention === 'standard') {
      const q = linear(p, `${pre}.attn.q_proj`, a, n, d, d);
      const k = linear(p, `${pre}.attn.k_proj`, a, n, d, d);
      const v = linear(p, `${pre}.attn.v_proj`, a, n, d, d);
      const dh = d / h;
      const y = new Float64Array(n * d);
      for (let hh = 0; hh < h; hh++) {
        const o = hh * dh;
        const yh = attendHead(
          B,
          T,
          (r, c) => q[r * d + o + c],
          (r, c) => k[r * d + o + c],
          (r, c) => v[r * d + o + c],
          dh,
          dh,
          1 / Math.sqrt(dh),
        );
        for (let r = 0; r < n; r++) for (let c = 0; c < dh; c++) y[r * d + o + c] = yh[r * dh + c];
      }
      att = linear(p, `${pre}.attn.o_proj`, y, n, d, d);
    } else {
      let q: Float64Array;
      if (s.attention === 'collapsed') q = linear(p, `${pre}.attn.qk_proj`, a, n, d, h * d);
      else {
        const W = symmetricFromTriangle(p[`${pre}.attn.qk_sym`], h, d);
        q = new Float64Array(n * h * d);
        for (let r = 0; r < n; r++)
          for (let o = 0; o < h * d; o++) {
            let acc = 0;
            for (let j = 0; j < d; j++) acc += a[r * d + j] * W[o * d + j];
            q[r * h * d + o] = acc;
          }
      }
      const v = linear(p, `${pre}.attn.vo_proj`, a, n, d, h * d);
      att = new Float64Array(n * d);
      for (let hh = 0; hh < h; hh++) {
        const o = hh * d;
        const yh = attendHead(
          B,
          T,
          (r, c) => q[r * h * d + o + c],
          (r, c) => a[r * d + c],
          (r, c) => v[r * h * d + o + c],
          d,
          d,
          1 / Math.sqrt(d),
        );
        for (let i = 0; i < n * d; i++) att[i] += yh[i];
      }
    }
    x = x.map((u, i) => u + att[i]);
    if (s.mlp) {
      const b2 = norm(p, `${pre}.ln_2`, x, n, d, s.norm);
      const f = linear(p, `${pre}.mlp.fc`, b2, n, d, 4 * d).map(gelu);
      const m = linear(p, `${pre}.mlp.proj`, f, n, 4 * d, d);
      x = x.map((u, i) => u + m[i]);
    }
  }
  const xf = norm(p, 'ln_f', x, n, d, s.norm);
  const logits = s.tiedHead
    ? (() => {
        const z = new Float64Array(n * V);
        for (let r = 0; r < n; r++)
          for (let t = 0; t < V; t++)
            for (let j = 0; j < d; j++) z[r * V + t] += xf[r * d + j] * E[t * d + j];
        return z;
      })()
    : linear(p, 'lm_head', xf, n, d, V);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let t = 0; t < V; t++) m = Math.max(m, logits[r * V + t]);
    let z = 0;
    for (let t = 0; t < V; t++) z += Math.exp(logits[r * V + t] - m);
    loss += m + Math.log(z) - logits[r * V + targets[r]];
  }
  return loss / n;
}
