/**
 * Least squares, exact and sketched (ALGORITHMS.md §8): x* = argmin ‖A·x − b‖₂ and
 * x' = argmin ‖S·A·x − S·b‖₂. The sketch S·[A | b] runs on the GPU (src/sketch/sketches.ts); the
 * small m × d solve is a Householder QR in float64 on the CPU (src/linalg/qr.ts), which is what the
 * sizes here suit (d ≤ a few hundred).
 */
import { ShapeError } from '../gpu/errors';
import { svdJacobi } from '../linalg/jacobi';
import { qrCpu } from '../linalg/qr';
import { Tensor } from '../tensor/tensor';
import { applySketch, type SketchParams } from './sketches';

/** A (n × d) must be tall (d ≤ n), and a sketch must keep at least d rows (d ≤ m ≤ n). */
export function checkLstsqShape(n: number, d: number, m?: number): void {
  if (!Number.isInteger(d) || d < 1)
    throw new ShapeError(`least squares: d = ${d} must be a positive integer`);
  if (d > n)
    throw new ShapeError(
      `least squares: d = ${d} columns exceed the n = ${n} rows of A (need d ≤ n, a tall A)`,
    );
  if (m !== undefined) {
    if (m > n) throw new ShapeError(`sketched least squares: m = ${m} exceeds n = ${n} (need m ≤ n)`);
    if (m < d)
      throw new ShapeError(
        `sketched least squares: m = ${m} sketch rows are fewer than the d = ${d} unknowns (need m ≥ d)`,
      );
  }
}

/** argmin ‖A·x − b‖₂ for row-major A (rows × d), rows ≥ d, by Householder QR in float64. */
export function solveLstsq(
  a: ArrayLike<number>,
  rows: number,
  d: number,
  b: ArrayLike<number>,
): Float64Array {
  checkLstsqShape(rows, d);
  const { Q, R } = qrCpu(Float64Array.from(a), rows, d);
  const qtb = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += Q[i * d + j] * b[i];
    qtb[j] = s;
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = qtb[i];
    for (let k = i + 1; k < d; k++) s -= R[i * d + k] * x[k];
    if (R[i * d + i] === 0) throw new ShapeError(`least squares: A is rank deficient (column ${i})`);
    x[i] = s / R[i * d + i];
  }
  return x;
}

/** [A | b] as one n × (d + 1) f32 tensor (b the last column), the sketches' input. */
export function uploadAb(
  gpu: Tensor['gpu'],
  a: ArrayLike<number>,
  n: number,
  d: number,
  b: ArrayLike<number>,
): Tensor {
  const ab = new Float32Array(n * (d + 1));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) ab[i * (d + 1) + j] = a[i * d + j];
    ab[i * (d + 1) + d] = b[i];
  }
  return Tensor.fromArray(gpu, ab, [n, d + 1]);
}

/** x' = argmin ‖S·A·x − S·b‖ with S·[A | b] computed on the GPU and the m × d solve in f64. */
export async function sketchedLstsq(p: SketchParams, ab: Tensor): Promise<Float64Array> {
  const d = ab.shape[1] - 1;
  checkLstsqShape(p.n, d, p.m);
  const sab = applySketch(p, ab);
  let v: Float32Array;
  try {
    v = await sab.read();
  } finally {
    sab.dispose();
  }
  const sa = new Float64Array(p.m * d);
  const sb = new Float64Array(p.m);
  for (let i = 0; i < p.m; i++) {
    for (let j = 0; j < d; j++) sa[i * d + j] = v[i * (d + 1) + j];
    sb[i] = v[i * (d + 1) + d];
  }
  return solveLstsq(sa, p.m, d, sb);
}

/** ‖A†‖₂ = 1 / σ_min(A), through the R of a QR (A = Q·R, same singular values). */
export function pinvNorm(a: ArrayLike<number>, n: number, d: number): number {
  const { R } = qrCpu(Float64Array.from(a), n, d);
  const s = svdJacobi(R, d, d).S;
  let min = Infinity;
  for (const v of s) min = Math.min(min, v);
  return min > 0 ? 1 / min : Infinity;
}

function residualNorm(
  a: ArrayLike<number>,
  n: number,
  d: number,
  b: ArrayLike<number>,
  x: ArrayLike<number>,
): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = -b[i];
    for (let j = 0; j < d; j++) r += a[i * d + j] * x[j];
    s += r * r;
  }
  return Math.sqrt(s);
}

export interface LstsqErrors {
  /** ‖x' − x*‖₂ / ‖x*‖₂ */
  l2Error: number;
  /** ‖x' − x*‖∞·√d / (‖A·x* − b‖₂·‖A†‖₂): the measured ε of the ℓ∞ guarantee. */
  linfRatio: number;
  /** ‖A·x' − b‖ / ‖A·x* − b‖ (≥ 1; 1 + ε² style). */
  residualRatio: number;
}

/** The error measures of a sketched solution x against the exact x*. */
export function lstsqErrors(
  a: ArrayLike<number>,
  n: number,
  d: number,
  b: ArrayLike<number>,
  x: ArrayLike<number>,
  xStar: ArrayLike<number>,
  pinv: number,
): LstsqErrors {
  let diff2 = 0;
  let ref2 = 0;
  let inf = 0;
  for (let j = 0; j < d; j++) {
    const e = x[j] - xStar[j];
    diff2 += e * e;
    ref2 += xStar[j] * xStar[j];
    inf = Math.max(inf, Math.abs(e));
  }
  const rStar = residualNorm(a, n, d, b, xStar);
  return {
    l2Error: Math.sqrt(diff2) / Math.sqrt(ref2),
    linfRatio: (inf * Math.sqrt(d)) / (rStar * pinv),
    residualRatio: residualNorm(a, n, d, b, x) / rStar,
  };
}
