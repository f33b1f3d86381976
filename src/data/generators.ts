/**
 * Seeded matrix generators, float64, row-major (entry (i, j) at data[i·cols + j]). Every random
 * draw comes from the Rng passed in, so the same seed gives the same matrix in Node and the browser.
 *
 *   gaussian          iid N(0, std²), std default 1/√cols
 *   lowRankNoise      U·diag(σ)·Vᵀ + noise·G with Haar U, V and σ_i = decay^i or (i+1)^(−decay)
 *   monarch           exact Monarch matrix from random factors (ALGORITHMS.md §2 entry formula)
 *   toeplitzBspline   T_n = [a_|i−j|] from the B-spline symbol of the Riesz operator (ALGORITHMS.md §6)
 *   randomOrthogonal  QR of a Gaussian matrix, columns signed by sign(R_jj) (Haar measure)
 *   dftMonarch        real or imaginary part of the column-permuted unitary DFT (ALGORITHMS.md §2)
 */
import { randomOrthonormal } from '../linalg/orthogonal';
import type { Rng } from '../tensor/rng';
import { type MatrixData, MatrixSourceError } from './types';

function checkSide(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 1)
    throw new MatrixSourceError(field, `${field} must be a positive integer (got ${v})`);
}

/** The divisor of n closest to √n (ties: the smaller one) — MonarchSpec's default m1. */
export function defaultMonarchBlocks(n: number): number {
  checkSide('n', n);
  const r = Math.sqrt(n);
  let best = 1;
  for (let d = 1; d <= n; d++) if (n % d === 0 && Math.abs(d - r) < Math.abs(best - r)) best = d;
  return best;
}

/** iid N(0, std²) entries; std defaults to 1/√cols so that ‖W·x‖ ≈ ‖x‖ for random x. */
export function gaussian(rows: number, cols: number, rng: Rng, opts: { std?: number } = {}): MatrixData {
  checkSide('rows', rows);
  checkSide('cols', cols);
  const std = opts.std ?? 1 / Math.sqrt(cols);
  if (!(std > 0) || !Number.isFinite(std))
    throw new MatrixSourceError('std', `std must be positive (got ${std})`);
  return {
    rows,
    cols,
    data: rng.normals(rows * cols, std),
    name: `gaussian ${rows}×${cols} (std ${fmt(std)})`,
  };
}

/**
 * Haar-random matrix with orthonormal columns (rows ≥ cols) or orthonormal rows (rows < cols):
 * QR of an iid Gaussian matrix, column j multiplied by sign(R_jj) (src/linalg/orthogonal.ts).
 * Cost O(max·min²) on the CPU: about 2 s at 512 × 512.
 */
export function randomOrthogonal(rows: number, cols: number, rng: Rng): MatrixData {
  checkSide('rows', rows);
  checkSide('cols', cols);
  const m = Math.max(rows, cols);
  const k = Math.min(rows, cols);
  const q = randomOrthonormal(m, k, rng);
  let data = q;
  if (rows < cols) {
    data = new Float64Array(rows * cols);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) data[j * cols + i] = q[i * k + j];
  }
  return { rows, cols, data, name: `orthogonal ${rows}×${cols}` };
}

export interface LowRankNoiseOptions {
  rank: number;
  /** geometric: σ_i = decay^i (0 < decay ≤ 1); power: σ_i = (i+1)^(−decay). i = 0 … rank−1. */
  decay: number;
  decayKind: 'geometric' | 'power';
  /** Standard deviation of the iid Gaussian noise added to every entry. */
  noise: number;
}

/** The singular values lowRankNoise uses (σ_0 = 1). */
export function lowRankSpectrum(rank: number, decay: number, decayKind: 'geometric' | 'power'): Float64Array {
  const s = new Float64Array(rank);
  for (let i = 0; i < rank; i++) s[i] = decayKind === 'geometric' ? decay ** i : (i + 1) ** -decay;
  return s;
}

/** W = U·diag(σ)·Vᵀ + noise·G, U (rows × rank) and V (cols × rank) Haar, G iid N(0, 1). */
export function lowRankNoise(rows: number, cols: number, rng: Rng, opts: LowRankNoiseOptions): MatrixData {
  checkSide('rows', rows);
  checkSide('cols', cols);
  const { rank, decay, decayKind, noise } = opts;
  if (!Number.isInteger(rank) || rank < 1 || rank > Math.min(rows, cols))
    throw new MatrixSourceError(
      'rank',
      `rank ${rank} must be an integer in [1, min(rows, cols) = ${Math.min(rows, cols)}]`,
    );
  if (!(decay > 0) || (decayKind === 'geometric' && decay > 1))
    throw new MatrixSourceError('decay', `decay ${decay} must be in (0, 1] (geometric) or > 0 (power)`);
  if (!(noise >= 0)) throw new MatrixSourceError('noise', `noise must be ≥ 0 (got ${noise})`);
  const s = lowRankSpectrum(rank, decay, decayKind);
  const U = randomOrthogonal(rows, rank, rng).data;
  const V = randomOrthogonal(cols, rank, rng).data;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let r = 0; r < rank; r++) {
      const u = U[i * rank + r] * s[r];
      if (u === 0) continue;
      for (let j = 0; j < cols; j++) data[i * cols + j] += u * V[j * rank + r];
    }
  }
  if (noise > 0) for (let k = 0; k < data.length; k++) data[k] += noise * rng.normal();
  return {
    rows,
    cols,
    data,
    name: `lowrank-noise ${rows}×${cols} (rank ${rank}, ${decayKind} ${fmt(decay)}, noise ${fmt(noise)})`,
  };
}

export interface MonarchFactors {
  n: number;
  m1: number;
  m2: number;
  /** m1 × m2 × P (P = n/m1 = m2): the R blocks, w1[(t·m2 + i)·P + c]. */
  w1: Float64Array;
  /** m2 × m1 × m1: the L blocks, w2[(i·m1 + j)·m1 + t]. */
  w2: Float64Array;
}

function checkBlocks(n: number, blocks: number): void {
  checkSide('n', n);
  if (!Number.isInteger(blocks) || blocks < 1 || n % blocks !== 0)
    throw new MatrixSourceError('blocks', `blocks ${blocks} must divide n = ${n}`);
}

/** Random Monarch factors: w1 ~ N(0, 1/P), w2 ~ N(0, 1/m1), so entries of M have variance 1/n. */
export function monarchFactors(n: number, m1: number, rng: Rng): MonarchFactors {
  checkBlocks(n, m1);
  const m2 = n / m1;
  const P = m2;
  const w1 = rng.normals(m1 * m2 * P, 1 / Math.sqrt(P));
  const w2 = rng.normals(m2 * m1 * m1, 1 / Math.sqrt(m1));
  return { n, m1, m2, w1, w2 };
}

/** M[j·m2 + i, t·P + c] = w2[i, j, t] · w1[t, i, c] (ALGORITHMS.md §2), dense n × n. */
export function monarchDense(f: MonarchFactors): Float64Array {
  const { n, m1, m2, w1, w2 } = f;
  const P = m2;
  const M = new Float64Array(n * n);
  for (let i = 0; i < m2; i++)
    for (let j = 0; j < m1; j++)
      for (let t = 0; t < m1; t++) {
        const a = w2[(i * m1 + j) * m1 + t];
        const row = (j * m2 + i) * n + t * P;
        for (let c = 0; c < P; c++) M[row + c] = a * w1[(t * m2 + i) * P + c];
      }
  return M;
}

/** An exact Monarch matrix n × n with m1 = blocks R-blocks, from random factors. */
export function monarch(n: number, rng: Rng, opts: { blocks: number }): MatrixData {
  const f = monarchFactors(n, opts.blocks, rng);
  return { rows: n, cols: n, data: monarchDense(f), name: `monarch ${n}×${n} (m1 ${f.m1}, m2 ${f.m2})` };
}

/**
 * Column permutation of ALGORITHMS.md §2: perm = rearrange(arange(n), '(i j) -> (j i)', j = m1),
 * i.e. perm[j·(n/m1) + i] = i·m1 + j.
 */
export function dftMonarchPerm(n: number, m1: number): Int32Array {
  checkBlocks(n, m1);
  const q = n / m1;
  const perm = new Int32Array(n);
  for (let i = 0; i < q; i++) for (let j = 0; j < m1; j++) perm[j * q + i] = i * m1 + j;
  return perm;
}

/**
 * Real or imaginary part of F_n[:, perm] with the unitary DFT F_n[r, k] = e^{−2πi·r·k/n}/√n.
 * The complex matrix is exactly Monarch with m1 = blocks (complex factors); each part alone is not.
 */
export function dftMonarch(n: number, opts: { blocks: number; part: 'real' | 'imag' }): MatrixData {
  const perm = dftMonarchPerm(n, opts.blocks);
  const s = 1 / Math.sqrt(n);
  const data = new Float64Array(n * n);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      const phase = (2 * Math.PI * ((r * perm[c]) % n)) / n;
      data[r * n + c] = opts.part === 'real' ? s * Math.cos(phase) : -s * Math.sin(phase);
    }
  return { rows: n, cols: n, data, name: `dft-monarch ${n}×${n} (${opts.part}, m1 ${opts.blocks})` };
}

/**
 * Symbol of the B-spline collocation matrix of the Riesz operator (ALGORITHMS.md §6):
 * f_p^α(θ) = Σ_{m∈ℤ} |θ + 2πm|^α · (sin(θ/2 + πm)/(θ/2 + πm))^{p+1}, summed for |m| ≤ terms plus an
 * integral estimate of the tail (Euler–Maclaurin for even p+1, the alternating-series estimate for
 * odd p+1). Using sin(θ/2 + πm) = (−1)^m sin(θ/2), each term is (2 sin(θ/2))^q·ε_m·|y_m|^(α−q) with
 * q = p+1, y_m = θ + 2πm and ε_m = ((−1)^m sign y_m)^q. 2π-periodic and even.
 */
export function bsplineSymbol(theta: number, p: number, alpha: number, terms = 2000): number {
  let t = theta % (2 * Math.PI);
  if (t > Math.PI) t -= 2 * Math.PI;
  if (t < -Math.PI) t += 2 * Math.PI;
  t = Math.abs(t);
  if (t === 0) return 0;
  const q = p + 1;
  const e = alpha - q;
  const even = q % 2 === 0;
  let sum = t ** e; // m = 0
  for (let m = 1; m <= terms; m++) {
    const a = (t + 2 * Math.PI * m) ** e;
    const b = (2 * Math.PI * m - t) ** e;
    // m > 0: sign y = +1, ε = (−1)^{mq}; m < 0: sign y = −1, ε = ((−1)^m·(−1))^q.
    if (even) sum += a + b;
    else sum += m % 2 === 0 ? a - b : b - a;
  }
  const M = terms + 0.5;
  const hp = (t + 2 * Math.PI * M) ** e;
  const hm = (2 * Math.PI * M - t) ** e;
  if (even) {
    // ∫_{M+½}^∞ (2πu ± θ)^e du = (2π(M+½) ± θ)^{e+1} / (2π(−e−1))
    // Σ_{m>terms} h(m) ≈ ∫_{M}^∞ h + h'(M)/24 (midpoint-rule Euler–Maclaurin), M = terms + ½.
    const yp = t + 2 * Math.PI * M;
    const ym = 2 * Math.PI * M - t;
    sum += (yp ** (e + 1) + ym ** (e + 1)) / (2 * Math.PI * (-e - 1));
    sum += (2 * Math.PI * e * (yp ** (e - 1) + ym ** (e - 1))) / 24;
  } else {
    // Σ_{m>terms} (−1)^m h(m) ≈ (−1)^{terms+1} h(terms+½)/2 on each side (with opposite signs).
    const sgn = (terms + 1) % 2 === 0 ? 1 : -1;
    sum += (sgn * (hp - hm)) / 2;
  }
  return (2 * Math.sin(t / 2)) ** q * sum;
}

/** f_p^α at each θ (e.g. θ_j = jπ/(n+1), the samples the eigenvalues of T_n follow). */
export function bsplineSymbolSamples(
  thetas: ArrayLike<number>,
  p: number,
  alpha: number,
  terms = 2000,
): Float64Array {
  const out = new Float64Array(thetas.length);
  for (let k = 0; k < thetas.length; k++) out[k] = bsplineSymbol(thetas[k], p, alpha, terms);
  return out;
}

/**
 * a_0 … a_{count−1} of f_p^α: a_k = (1/π)∫_0^π f(θ) cos(kθ) dθ by the trapezoid rule on
 * `intervals` equal steps (a DCT-I of the samples — the inverse DFT of an even function).
 * The default, max(1024, 4·count) intervals, keeps quadrature and aliasing errors below ~1e-7.
 */
export function toeplitzCoefficients(
  count: number,
  p: number,
  alpha: number,
  terms = 2000,
  intervals = Math.max(1024, 4 * count),
): Float64Array {
  const K = intervals;
  const f = new Float64Array(K + 1);
  for (let j = 0; j <= K; j++) f[j] = bsplineSymbol((j * Math.PI) / K, p, alpha, terms);
  const cosT = new Float64Array(2 * K);
  for (let r = 0; r < 2 * K; r++) cosT[r] = Math.cos((r * Math.PI) / K);
  const a = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    let s = f[0] / 2 + ((k % 2 === 0 ? 1 : -1) * f[K]) / 2;
    let idx = 0;
    for (let j = 1; j < K; j++) {
      idx += k;
      if (idx >= 2 * K) idx %= 2 * K;
      s += f[j] * cosT[idx];
    }
    a[k] = s / K;
  }
  return a;
}

export interface ToeplitzBsplineOptions {
  p: number;
  alpha: number;
  terms: number;
}

/** T_n = [a_|i−j|], symmetric Toeplitz from the symbol's Fourier coefficients. */
export function toeplitzBspline(n: number, opts: ToeplitzBsplineOptions): MatrixData {
  checkSide('n', n);
  const { p, alpha, terms } = opts;
  if (!Number.isInteger(p) || p < 2) throw new MatrixSourceError('p', `p must be an integer ≥ 2 (got ${p})`);
  if (!(alpha > 0 && alpha <= 2))
    throw new MatrixSourceError('alpha', `alpha must be in (0, 2] (got ${alpha})`);
  if (!Number.isInteger(terms) || terms < 1)
    throw new MatrixSourceError('terms', `terms must be a positive integer (got ${terms})`);
  const a = toeplitzCoefficients(n, p, alpha, terms);
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = a[Math.abs(i - j)];
  return { rows: n, cols: n, data, name: `toeplitz-bspline ${n}×${n} (p ${p}, α ${fmt(alpha)})` };
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
