/**
 * float64 oracles for the fast Walsh–Hadamard transform, the sketching matrices (formed densely
 * from their random parameters) and least squares (ALGORITHMS.md §8). Plain loops, nothing
 * imported from outside src/reference: the GPU paths in src/sketch are checked against these.
 */
import { matmul64 } from './dense';

/** The Walsh–Hadamard matrix H_n (n a power of two), entries ±1 (or ±1/√n when normalised), by the Sylvester recursion. */
export function hadamardDense(n: number, normalised = false): Float64Array {
  if (n < 1 || (n & (n - 1)) !== 0) throw new Error(`hadamardDense: n = ${n} is not a power of two`);
  const h = new Float64Array(n * n);
  h[0] = 1;
  for (let s = 1; s < n; s *= 2)
    for (let i = 0; i < s; i++)
      for (let j = 0; j < s; j++) {
        const v = h[i * n + j];
        h[i * n + j + s] = v;
        h[(i + s) * n + j] = v;
        h[(i + s) * n + j + s] = -v;
      }
  if (normalised) {
    const c = 1 / Math.sqrt(n);
    for (let i = 0; i < n * n; i++) h[i] *= c;
  }
  return h;
}

/** FWHT of every row of x (batch × n), by the textbook in-place butterflies (a, b) → (a + b, a − b). */
export function fwhtRef(x: ArrayLike<number>, n: number, normalised = false): Float64Array {
  if (n < 1 || (n & (n - 1)) !== 0) throw new Error(`fwhtRef: n = ${n} is not a power of two`);
  const y = Float64Array.from(x);
  const batch = y.length / n;
  for (let r = 0; r < batch; r++) {
    const o = r * n;
    for (let h = 1; h < n; h *= 2)
      for (let i = 0; i < n; i += 2 * h)
        for (let j = i; j < i + h; j++) {
          const a = y[o + j];
          const b = y[o + j + h];
          y[o + j] = a + b;
          y[o + j + h] = a - b;
        }
    if (normalised) for (let j = 0; j < n; j++) y[o + j] /= Math.sqrt(n);
  }
  return y;
}

/** The random parameters that define each sketch (drawn by src/sketch, consumed here and on the GPU). */
export type SketchParamsRef =
  | { type: 'gaussian'; m: number; n: number; S: ArrayLike<number> }
  | { type: 'srht'; m: number; n: number; nPad: number; signs: ArrayLike<number>; rows: ArrayLike<number> }
  | { type: 'countsketch'; m: number; n: number; hash: ArrayLike<number>; signs: ArrayLike<number> }
  | {
      type: 'osnap';
      m: number;
      n: number;
      s: number;
      /** n × s: the rows of column i's nonzeros, and their signs. */
      rows: ArrayLike<number>;
      signs: ArrayLike<number>;
    };

/** S (m × n) formed densely from its parameters. */
export function sketchDense(p: SketchParamsRef): Float64Array {
  const { m, n } = p;
  const S = new Float64Array(m * n);
  switch (p.type) {
    case 'gaussian':
      for (let i = 0; i < m * n; i++) S[i] = p.S[i];
      break;
    case 'srht': {
      // S = √(nPad/m)·P·H·D restricted to the first n columns (the padded rows of A are zero).
      const H = hadamardDense(p.nPad, true);
      const c = Math.sqrt(p.nPad / m);
      for (let k = 0; k < m; k++)
        for (let i = 0; i < n; i++) S[k * n + i] = c * H[p.rows[k] * p.nPad + i] * p.signs[i];
      break;
    }
    case 'countsketch':
      for (let i = 0; i < n; i++) S[p.hash[i] * n + i] += p.signs[i];
      break;
    case 'osnap': {
      const v = 1 / Math.sqrt(p.s);
      for (let i = 0; i < n; i++)
        for (let t = 0; t < p.s; t++) S[p.rows[i * p.s + t] * n + i] += v * p.signs[i * p.s + t];
      break;
    }
  }
  return S;
}

/** C = A·B for row-major A (r × k), B (k × c) (the oracle's one product, dense.ts matmul64). */
export function mm64(
  a: ArrayLike<number>,
  r: number,
  k: number,
  b: ArrayLike<number>,
  c: number,
): Float64Array {
  return matmul64(a, r, k, b, k, c);
}

/** SᵀS (n × n) for S (m × n). */
export function gram64(S: ArrayLike<number>, m: number, n: number): Float64Array {
  return matmul64(S, m, n, S, m, n, true, false);
}

/**
 * Least squares x = argmin ‖A·x − b‖₂ (A n × d, n ≥ d, full column rank) by the normal equations
 * AᵀA·x = Aᵀb solved with Cholesky. Fine for well-conditioned test problems.
 */
export function lstsqNormal(a: ArrayLike<number>, n: number, d: number, b: ArrayLike<number>): Float64Array {
  const g = new Float64Array(d * d);
  const r = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[k * d + i] * a[k * d + j];
      g[i * d + j] = s;
    }
    let s = 0;
    for (let k = 0; k < n; k++) s += a[k * d + i] * b[k];
    r[i] = s;
  }
  // Cholesky G = L·Lᵀ
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = g[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      if (i === j) {
        if (s <= 0) throw new Error('lstsqNormal: AᵀA is not positive definite (A is rank deficient)');
        L[i * d + i] = Math.sqrt(s);
      } else L[i * d + j] = s / L[j * d + j];
    }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = r[i];
    for (let k = 0; k < i; k++) s -= L[i * d + k] * y[k];
    y[i] = s / L[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= L[k * d + i] * x[k];
    x[i] = s / L[i * d + i];
  }
  return x;
}

/** Least squares by modified Gram–Schmidt QR (A = Q·R, x = R⁻¹·Qᵀb), for ill-conditioned checks. */
export function lstsqQr(a: ArrayLike<number>, n: number, d: number, b: ArrayLike<number>): Float64Array {
  const q = Float64Array.from(a);
  const R = new Float64Array(d * d);
  const qb = new Float64Array(d);
  const rb = Float64Array.from(b);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < j; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[k * d + i] * q[k * d + j];
      R[i * d + j] = s;
      for (let k = 0; k < n; k++) q[k * d + j] -= s * q[k * d + i];
    }
    let nrm = 0;
    for (let k = 0; k < n; k++) nrm += q[k * d + j] ** 2;
    nrm = Math.sqrt(nrm);
    if (nrm === 0) throw new Error('lstsqQr: A is rank deficient');
    R[j * d + j] = nrm;
    for (let k = 0; k < n; k++) q[k * d + j] /= nrm;
    let s = 0;
    for (let k = 0; k < n; k++) s += q[k * d + j] * rb[k];
    qb[j] = s;
    for (let k = 0; k < n; k++) rb[k] -= s * q[k * d + j];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = qb[i];
    for (let k = i + 1; k < d; k++) s -= R[i * d + k] * x[k];
    x[i] = s / R[i * d + i];
  }
  return x;
}

/** x' = argmin ‖S·A·x − S·b‖ with S formed densely. */
export function sketchedLstsqRef(
  p: SketchParamsRef,
  a: ArrayLike<number>,
  d: number,
  b: ArrayLike<number>,
): Float64Array {
  const S = sketchDense(p);
  return lstsqQr(mm64(S, p.m, p.n, a, d), p.m, d, mm64(S, p.m, p.n, b, 1));
}
