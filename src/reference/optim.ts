/**
 * Float64 oracle steps of every optimizer rule (plain loops; imports nothing outside src/reference).
 * Each mutates p and its state arrays in place, like the GPU kernels.
 */
import { frobenius, matmul64, transpose64 } from './linalg';

type F = Float64Array;

export function adamwStepRef(
  p: F,
  g: ArrayLike<number>,
  m: F,
  v: F,
  t: number,
  h: { lr: number; beta1: number; beta2: number; eps: number; wd: number; gscale?: number },
): void {
  const bc1 = 1 - h.beta1 ** t;
  const bc2 = 1 - h.beta2 ** t;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] * (h.gscale ?? 1);
    m[i] = h.beta1 * m[i] + (1 - h.beta1) * gi;
    v[i] = h.beta2 * v[i] + (1 - h.beta2) * gi * gi;
    p[i] *= 1 - h.lr * h.wd;
    p[i] -= (h.lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + h.eps);
  }
}

export function sgdStepRef(
  p: F,
  g: ArrayLike<number>,
  buf: F,
  h: { lr: number; momentum: number; nesterov: boolean; wd: number; gscale?: number },
): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] * (h.gscale ?? 1) + h.wd * p[i];
    buf[i] = h.momentum * buf[i] + gi;
    p[i] -= h.lr * (h.nesterov ? gi + h.momentum * buf[i] : buf[i]);
  }
}

/** Nesterov momentum shared by Muon and AuON: returns u, updates m. */
function momentumRef(g: ArrayLike<number>, m: F, beta: number, nesterov: boolean, gscale: number): F {
  const u = new Float64Array(m.length);
  for (let i = 0; i < m.length; i++) {
    const gi = g[i] * gscale;
    m[i] = beta * m[i] + (1 - beta) * gi;
    u[i] = nesterov ? (1 - beta) * gi + beta * m[i] : m[i];
  }
  return u;
}

/** Muon's quintic Newton–Schulz (KellerJordan/Muon), in f64. */
export function newtonSchulzRef(g: F, rows: number, cols: number, steps = 5): F {
  const [a, b, c] = [3.4445, -4.775, 2.0315];
  const tall = rows > cols;
  let x = tall ? transpose64(g, rows, cols) : Float64Array.from(g);
  const [m, n] = tall ? [cols, rows] : [rows, cols];
  const f = frobenius(x) + 1e-7;
  x = x.map((v) => v / f);
  for (let s = 0; s < steps; s++) {
    const A = matmul64(x, m, n, x, m, n, false, true);
    const AA = matmul64(A, m, m, A, m, m);
    const B = A.map((v, i) => b * v + c * AA[i]);
    const BX = matmul64(B, m, m, x, m, n);
    x = x.map((v, i) => a * v + BX[i]);
  }
  return tall ? transpose64(x, m, n) : x;
}

export interface OrthoHyper {
  lr: number;
  momentum: number;
  nesterov: boolean;
  wd: number;
  gscale?: number;
}

export function muonStepRef(
  p: F,
  g: ArrayLike<number>,
  m: F,
  rows: number,
  cols: number,
  h: OrthoHyper,
): void {
  const u = momentumRef(g, m, h.momentum, h.nesterov, h.gscale ?? 1);
  const o = newtonSchulzRef(u, rows, cols);
  const scale = Math.sqrt(Math.max(1, rows / cols));
  for (let i = 0; i < p.length; i++) p[i] = p[i] * (1 - h.lr * h.wd) - h.lr * scale * o[i];
}

export function auonStepRef(
  p: F,
  g: ArrayLike<number>,
  m: F,
  rows: number,
  cols: number,
  h: OrthoHyper,
): void {
  const u = momentumRef(g, m, h.momentum, h.nesterov, h.gscale ?? 1);
  const n = frobenius(u) + 1e-7;
  let c2 = 0;
  for (let i = 0; i < u.length; i++) c2 += Math.cosh(u[i] / n) ** 2;
  const brake = Math.sqrt(c2 / u.length) + 1e-8;
  const scale = Math.sqrt(Math.max(1, rows / cols));
  for (let i = 0; i < p.length; i++) p[i] = p[i] * (1 - h.lr * h.wd) - h.lr * scale * (u[i] / n / brake);
}
