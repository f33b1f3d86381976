/**
 * Thin QR factorisation.
 *
 * - `qrCpu`: Householder in float64 on the CPU, any shape; Q (m × k) always has orthonormal columns
 *   (also for rank-deficient input), R (k × n) upper triangular with R_jj ≥ 0, k = min(m, n).
 * - `qrGpu`: tall matrices on the GPU by shifted CholeskyQR3 (Fukaya, Kannan, Nakatsukasa, Yamamoto,
 *   Yanagisawa 2020): three passes of "Gram matrix AᵀA by GPU GEMM → Cholesky in f64 on the CPU (k × k)
 *   → A·R⁻¹ by GPU GEMM", the first with a diagonal shift so the Cholesky cannot break down. In f32 it
 *   is stable for cond(A) up to ≈ 1e6–1e7; beyond that (or for rank-deficient input) the orthogonality
 *   check fails and it falls back to Householder on the CPU, so Q always comes back orthonormal.
 */
import { ShapeError } from '../gpu/errors';
import { matmul } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';

export interface QrResult {
  /** m × k, row-major, orthonormal columns. */
  Q: Float64Array;
  /** k × n, row-major, upper triangular, non-negative diagonal. */
  R: Float64Array;
  k: number;
}

/** Householder thin QR of a row-major m × n matrix (float64). */
export function qrCpu(a: Float64Array, m: number, n: number): QrResult {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1)
    throw new Error(`qrCpu: shape must be positive integers, got ${m} × ${n}`);
  if (a.length !== m * n) throw new Error(`qrCpu: expected ${m}×${n} = ${m * n} entries, got ${a.length}`);
  const k = Math.min(m, n);
  // Column-major working copy.
  const w = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * m + i] = a[i * n + j];
  const vs: Float64Array[] = [];
  const betas = new Float64Array(k);
  const diag = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const off = j * m;
    let nrm = 0;
    for (let i = j; i < m; i++) nrm += w[off + i] ** 2;
    nrm = Math.sqrt(nrm);
    const v = new Float64Array(m - j);
    vs.push(v);
    if (nrm === 0) {
      diag[j] = 0;
      betas[j] = 0;
      continue;
    }
    const x0 = w[off + j];
    const alpha = x0 >= 0 ? -nrm : nrm;
    v[0] = x0 - alpha;
    for (let i = j + 1; i < m; i++) v[i - j] = w[off + i];
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
    const beta = vv === 0 ? 0 : 2 / vv;
    betas[j] = beta;
    diag[j] = alpha;
    w[off + j] = alpha;
    for (let i = j + 1; i < m; i++) w[off + i] = 0;
    // Apply H = I − β v vᵀ to the remaining columns.
    for (let c = j + 1; c < n; c++) {
      const oc = c * m;
      let d = 0;
      for (let i = j; i < m; i++) d += v[i - j] * w[oc + i];
      d *= beta;
      if (d === 0) continue;
      for (let i = j; i < m; i++) w[oc + i] -= d * v[i - j];
    }
  }
  // Q = H_0 H_1 … H_{k-1} applied to the first k columns of the identity (column-major q).
  const q = new Float64Array(m * k);
  for (let j = 0; j < k; j++) q[j * m + j] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j];
    const beta = betas[j];
    if (beta === 0) continue;
    for (let c = 0; c < k; c++) {
      const oc = c * m;
      let d = 0;
      for (let i = j; i < m; i++) d += v[i - j] * q[oc + i];
      d *= beta;
      if (d === 0) continue;
      for (let i = j; i < m; i++) q[oc + i] -= d * v[i - j];
    }
  }
  const Q = new Float64Array(m * k);
  const R = new Float64Array(k * n);
  for (let j = 0; j < k; j++) {
    const sign = diag[j] < 0 ? -1 : 1;
    for (let i = 0; i < m; i++) Q[i * k + j] = sign * q[j * m + i];
    for (let c = j; c < n; c++) R[j * n + c] = sign * w[c * m + j];
  }
  return { Q, R, k };
}

/**
 * Upper-triangular Cholesky factor R (G = RᵀR) of a symmetric k × k matrix, or null when a pivot is
 * not positive (the matrix is not numerically positive definite).
 */
export function choleskyUpper(g: Float64Array, k: number): Float64Array | null {
  const r = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = g[j * k + j];
    for (let p = 0; p < j; p++) d -= r[p * k + j] ** 2;
    if (!(d > 0)) return null;
    const rjj = Math.sqrt(d);
    r[j * k + j] = rjj;
    for (let c = j + 1; c < k; c++) {
      let s = g[j * k + c];
      for (let p = 0; p < j; p++) s -= r[p * k + j] * r[p * k + c];
      r[j * k + c] = s / rjj;
    }
  }
  return r;
}

/** Inverse of an upper-triangular k × k matrix (row-major). */
export function invUpper(r: Float64Array, k: number): Float64Array {
  const inv = new Float64Array(k * k);
  for (let j = k - 1; j >= 0; j--) {
    inv[j * k + j] = 1 / r[j * k + j];
    for (let c = j + 1; c < k; c++) {
      let s = 0;
      for (let p = j + 1; p <= c; p++) s += r[j * k + p] * inv[p * k + c];
      inv[j * k + c] = -s / r[j * k + j];
    }
  }
  return inv;
}

/** Product of two upper-triangular k × k matrices. */
function mulUpper(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++) {
      let s = 0;
      for (let p = i; p <= j; p++) s += a[i * k + p] * b[p * k + j];
      out[i * k + j] = s;
    }
  return out;
}

export interface QrGpuResult {
  /** [m, k] on the GPU (f32), orthonormal columns. The caller owns it (dispose()). */
  Q: Tensor;
  /** k × k upper triangular (f64 on the CPU), non-negative diagonal. */
  R: Float64Array;
  k: number;
  /** 'cholesky' when shifted CholeskyQR3 succeeded on the GPU, 'householder' for the CPU fallback. */
  method: 'cholesky' | 'householder';
}

export interface QrGpuOptions {
  /** Largest accepted max|QᵀQ − I| before falling back to Householder (default 1e-4). */
  orthTol?: number;
  /** Skip the GPU path (tests use it to exercise the fallback). */
  forceHouseholder?: boolean;
}

const U_F32 = 2 ** -24;

/** Gram matrix XᵀX (k × k) computed on the GPU and read back as float64, symmetrised. */
async function gram(x: Tensor): Promise<Float64Array> {
  const k = x.shape[1];
  const g = matmul(x, x, { transA: true });
  let data: Float32Array;
  try {
    data = await g.read();
  } finally {
    g.dispose();
  }
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) out[i * k + j] = 0.5 * (data[i * k + j] + data[j * k + i]);
  return out;
}

/** X·M for a small f64 k × k matrix M (uploaded as f32). */
function timesSmall(x: Tensor, mat: Float64Array, k: number): Tensor {
  const t = Tensor.fromArray(x.gpu, mat, [k, k]);
  try {
    return matmul(x, t);
  } finally {
    t.dispose();
  }
}

/**
 * Thin QR of a tall [m, n] tensor (m ≥ n) on the GPU. Q is a new [m, n] tensor; R is n × n f64.
 * The input is not modified or disposed.
 */
export async function qrGpu(a: Tensor, opts: QrGpuOptions = {}): Promise<QrGpuResult> {
  const { orthTol = 1e-4, forceHouseholder = false } = opts;
  if (a.rank !== 2) throw new ShapeError(`qrGpu takes a 2-D tensor, got shape [${a.shape.join(', ')}]`);
  const [m, n] = a.shape;
  if (m < n)
    throw new ShapeError(
      `qrGpu needs a tall matrix (rows ≥ cols), got [${m}, ${n}]; use qrCpu for wide matrices`,
    );
  const k = n;
  if (!forceHouseholder) {
    const res = await choleskyQr3(a, m, k, orthTol);
    if (res) return res;
  }
  const host = Float64Array.from(await a.read());
  const { Q, R } = qrCpu(host, m, n);
  return { Q: Tensor.fromArray(a.gpu, Q, [m, k]), R, k, method: 'householder' };
}

async function choleskyQr3(a: Tensor, m: number, k: number, orthTol: number): Promise<QrGpuResult | null> {
  // Pass 1: shifted Cholesky so it cannot break down (shift from Fukaya et al., with ‖A‖_F ≥ ‖A‖_2).
  const g1 = await gram(a);
  let fro2 = 0;
  for (let i = 0; i < k; i++) fro2 += g1[i * k + i];
  if (!(fro2 > 0) || !Number.isFinite(fro2)) return null;
  const shift = 11 * (m * k + k * (k + 1)) * U_F32 * fro2;
  for (let i = 0; i < k; i++) g1[i * k + i] += shift;
  const r1 = choleskyUpper(g1, k);
  if (!r1) return null;
  let q = timesSmall(a, invUpper(r1, k), k);
  let r = r1;
  try {
    // Passes 2 and 3: plain CholeskyQR (CholeskyQR2 on the now well-conditioned Q).
    for (let pass = 0; pass < 2; pass++) {
      const g = await gram(q);
      const rp = choleskyUpper(g, k);
      if (!rp) {
        q.dispose();
        return null;
      }
      const next = timesSmall(q, invUpper(rp, k), k);
      q.dispose();
      q = next;
      r = mulUpper(rp, r, k);
    }
    const g = await gram(q);
    let worst = 0;
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(g[i * k + j] - (i === j ? 1 : 0)));
    if (!(worst <= orthTol)) {
      q.dispose();
      return null;
    }
    return { Q: q, R: r, k, method: 'cholesky' };
  } catch (e) {
    q.dispose();
    throw e;
  }
}
