/**
 * KV projection (MatryoshkaKV, ALGORITHMS §4): per head, PCA of the keys and of the values (mean μ,
 * eigenvectors U of the covariance by descending eigenvalue, f64 on the CPU: d ≤ 128), then attention
 * at rank r on the GPU with the exact formula: q̃ = q·U_r, k̃ = (k − μ_k)·U_r, ṽ = (v − μ_v)·U_r,
 * logits = (q̃·k̃ᵀ + q·μ_kᵀ)/√d, o = softmax(logits)·ṽ·U_rᵀ + μ_v. The term q·μ_kᵀ is the same for
 * every key of a row, so softmax ignores it: the GPU runs the fused causal kernel on (q̃, k̃, ṽ) with
 * scale 1/√d (d the full head dim) and adds μ_v after the last GEMM. U_r is padded with zero columns
 * to a multiple of 4 (the kernel's vec4 rows); zero features change no dot product.
 */
import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { eigh } from '../linalg/eigh';
import { matmul } from '../tensor/ops';
import { Tensor, tidy } from '../tensor/tensor';
import { fusedForward } from './fused';

export interface KvPca {
  heads: number;
  n: number;
  d: number;
  /** [heads, d] means. */
  muK: Float64Array;
  muV: Float64Array;
  /** [heads, d, d]: column t of head h is its t-th principal direction. */
  uK: Float64Array;
  uV: Float64Array;
  /** [heads, d] covariance eigenvalues, descending. */
  eigK: Float64Array;
  eigV: Float64Array;
}

function pcaOf(x: ArrayLike<number>, heads: number, n: number, d: number) {
  const mu = new Float64Array(heads * d);
  const u = new Float64Array(heads * d * d);
  const eig = new Float64Array(heads * d);
  for (let h = 0; h < heads; h++) {
    const base = h * n * d;
    const m = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) m[c] += x[base + i * d + c];
    for (let c = 0; c < d; c++) m[c] /= n;
    const cov = new Float64Array(d * d);
    const row = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < d; c++) row[c] = x[base + i * d + c] - m[c];
      for (let a = 0; a < d; a++) {
        const ra = row[a];
        for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b];
      }
    }
    for (let a = 0; a < d; a++)
      for (let b = a; b < d; b++) {
        cov[a * d + b] /= n;
        cov[b * d + a] = cov[a * d + b];
      }
    const e = eigh(cov, d);
    mu.set(m, h * d);
    u.set(e.vectors, h * d * d);
    eig.set(e.values, h * d);
  }
  return { mu, u, eig };
}

/** Per-head PCA of K and V ([heads, n, d] row-major). */
export function kvPca(
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  heads: number,
  n: number,
  d: number,
): KvPca {
  if (k.length !== heads * n * d || v.length !== heads * n * d)
    throw new ShapeError(`kvPca: K and V must hold heads × n × d = ${heads * n * d} values`);
  const pk = pcaOf(k, heads, n, d);
  const pv = pcaOf(v, heads, n, d);
  return { heads, n, d, muK: pk.mu, muV: pv.mu, uK: pk.u, uV: pv.u, eigK: pk.eig, eigV: pv.eig };
}

/** The first r columns of every head's basis, zero-padded to r4 columns: [heads, d, r4]. */
function basis(u: Float64Array, heads: number, d: number, r: number, r4: number): Float32Array {
  const out = new Float32Array(heads * d * r4);
  for (let h = 0; h < heads; h++)
    for (let c = 0; c < d; c++)
      for (let t = 0; t < r; t++) out[(h * d + c) * r4 + t] = u[(h * d + c) * d + t];
  return out;
}

function centred(x: ArrayLike<number>, mu: Float64Array, heads: number, n: number, d: number): Float32Array {
  const out = new Float32Array(heads * n * d);
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < n; i++)
      for (let c = 0; c < d; c++) out[(h * n + i) * d + c] = x[(h * n + i) * d + c] - mu[h * d + c];
  return out;
}

/** Q, K − μ_k, V − μ_v on the GPU, ready for any rank. dispose() frees them. */
export interface KvProblem {
  pca: KvPca;
  q: Tensor;
  kc: Tensor;
  vc: Tensor;
  dispose(): void;
}

export function kvProblem(
  gpu: Gpu,
  pca: KvPca,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
): KvProblem {
  const { heads, n, d } = pca;
  const shape = [heads, n, d];
  const qt = Tensor.fromArray(gpu, q, shape);
  const kc = Tensor.fromArray(gpu, centred(k, pca.muK, heads, n, d), shape);
  const vc = Tensor.fromArray(gpu, centred(v, pca.muV, heads, n, d), shape);
  return {
    pca,
    q: qt,
    kc,
    vc,
    dispose() {
      qt.dispose();
      kc.dispose();
      vc.dispose();
    },
  };
}

/**
 * MatryoshkaKV attention at K rank rK and V rank rV (1 … d). Records the GPU work (GEMMs and the
 * fused kernel) and returns O without μ_v as a tensor [heads, n, d]; add μ_v with addValueMean().
 */
export function projectedAttention(p: KvProblem, rK: number, rV: number): Tensor {
  const { heads, d } = p.pca;
  for (const [name, r] of [
    ['rank of K', rK],
    ['rank of V', rV],
  ] as const)
    if (!Number.isInteger(r) || r < 1 || r > d)
      throw new ShapeError(`projectedAttention: ${name} must be an integer from 1 to d = ${d}, got ${r}`);
  const gpu = p.q.gpu;
  const rk4 = Math.ceil(rK / 4) * 4;
  const rv4 = Math.ceil(rV / 4) * 4;
  return tidy(() => {
    const uk = Tensor.fromArray(gpu, basis(p.pca.uK, heads, d, rK, rk4), [heads, d, rk4]);
    const uv = Tensor.fromArray(gpu, basis(p.pca.uV, heads, d, rV, rv4), [heads, d, rv4]);
    const qt = matmul(p.q, uk);
    const kt = matmul(p.kc, uk);
    const vt = matmul(p.vc, uv);
    // The fused kernel wants one head dim for Q, K, V: pad the narrower side with zero features.
    const r4 = Math.max(rk4, rv4);
    const pad = (x: Tensor, w: number) => (w === r4 ? x : matmul(x, padMatrix(gpu, heads, w, r4)));
    const { out, lse } = fusedForward(pad(qt, rk4), pad(kt, rk4), pad(vt, rv4), 1 / Math.sqrt(d));
    lse.dispose();
    const o = rv4 === r4 ? out : matmul(out, padMatrix(gpu, heads, rv4, r4), { transB: true });
    return matmul(o, uv, { transB: true });
  });
}

/** [heads, w, r4] identity-then-zeros: x·P pads x's w columns to r4. */
function padMatrix(gpu: Gpu, heads: number, w: number, r4: number): Tensor {
  const data = new Float32Array(heads * w * r4);
  for (let h = 0; h < heads; h++) for (let t = 0; t < w; t++) data[(h * w + t) * r4 + t] = 1;
  return Tensor.fromArray(gpu, data, [heads, w, r4]);
}

/** O + μ_v per head, in place on a read-back [heads, n, d] array. */
export function addValueMean(o: Float32Array, pca: KvPca): Float32Array {
  const { heads, n, d } = pca;
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) o[(h * n + i) * d + c] += pca.muV[h * d + c];
  return o;
}

/** ‖a − b‖_F / ‖b‖_F. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}

/** Fraction of the KV cache saved at ranks (rK, rV): 1 − (rK + rV) / 2d. */
export const kvCompression = (rK: number, rV: number, d: number) => 1 - (rK + rV) / (2 * d);
