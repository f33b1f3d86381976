/**
 * Symmetric eigensolver in float64 on the CPU: cyclic (two-sided) Jacobi.
 *
 * A = V·diag(λ)·Vᵀ with λ descending and V orthogonal (row-major n × n, column i is the eigenvector
 * of λ_i). Each rotation zeroes one off-diagonal entry; sweeps run until the off-diagonal mass is
 * below 1e-15·‖A‖_F (eigenvalue absolute accuracy ≈ ε‖A‖). O(n³) per sweep, typically 6–10 sweeps:
 * meant for the small matrices of this project (covariances of a head dimension, Gram matrices).
 *
 * Deterministic: ties keep their index order, and each eigenvector's largest-magnitude entry (first on
 * a tie) is positive.
 */

export interface EighResult {
  /** n eigenvalues, descending. */
  values: Float64Array;
  /** n × n row-major; column i is the unit eigenvector of values[i]. */
  vectors: Float64Array;
  n: number;
}

export interface EighOptions {
  /**
   * Largest accepted asymmetry max|A − Aᵀ| relative to max|A| (the input is symmetrised as
   * (A + Aᵀ)/2 first; default 1e-5, enough for an f32 Gram matrix read back from the GPU).
   */
  symmetryTol?: number;
  /** Skip the eigenvectors (faster; `vectors` is then empty). */
  valuesOnly?: boolean;
}

const MAX_SWEEPS = 100;

export function eigh(a: Float64Array, n: number, opts: EighOptions = {}): EighResult {
  const { symmetryTol = 1e-5, valuesOnly = false } = opts;
  if (!Number.isInteger(n) || n < 1) throw new Error(`eigh: size must be a positive integer, got ${n}`);
  if (a.length !== n * n) throw new Error(`eigh: expected ${n}×${n} = ${n * n} entries, got ${a.length}`);
  let amax = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error(`eigh: entry ${i} is not finite (${a[i]})`);
    amax = Math.max(amax, Math.abs(a[i]));
  }
  const w = new Float64Array(n * n);
  let asym = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      asym = Math.max(asym, Math.abs(a[i * n + j] - a[j * n + i]));
      w[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
    }
  if (asym > symmetryTol * amax)
    throw new Error(
      `eigh: matrix is not symmetric (max |A − Aᵀ| = ${asym.toExponential(3)}, max |A| = ${amax.toExponential(3)}, tolerance ${symmetryTol})`,
    );

  const v = valuesOnly ? new Float64Array(0) : new Float64Array(n * n);
  if (!valuesOnly) for (let i = 0; i < n; i++) v[i * n + i] = 1;

  let fro = 0;
  for (let i = 0; i < n * n; i++) fro += w[i] * w[i];
  fro = Math.sqrt(fro);
  const stop = 1e-15 * fro;
  const tiny = 1e-300;

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += w[p * n + q] ** 2;
    if (Math.sqrt(off) <= stop) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = w[p * n + q];
        if (Math.abs(apq) <= tiny) continue;
        const app = w[p * n + p];
        const aqq = w[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← A·J (columns p, q), then A ← Jᵀ·A (rows p, q).
        for (let k = 0; k < n; k++) {
          const x = w[k * n + p];
          const y = w[k * n + q];
          w[k * n + p] = c * x - s * y;
          w[k * n + q] = s * x + c * y;
        }
        for (let k = 0; k < n; k++) {
          const x = w[p * n + k];
          const y = w[q * n + k];
          w[p * n + k] = c * x - s * y;
          w[q * n + k] = s * x + c * y;
        }
        w[p * n + q] = 0;
        w[q * n + p] = 0;
        if (!valuesOnly)
          for (let k = 0; k < n; k++) {
            const x = v[k * n + p];
            const y = v[k * n + q];
            v[k * n + p] = c * x - s * y;
            v[k * n + q] = s * x + c * y;
          }
      }
  }

  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = w[i * n + i];
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => diag[y] - diag[x] || x - y);
  const values = new Float64Array(n);
  const vectors = valuesOnly ? new Float64Array(0) : new Float64Array(n * n);
  for (let t = 0; t < n; t++) {
    const j = order[t];
    values[t] = diag[j];
    if (valuesOnly) continue;
    let bi = 0;
    let bv = -1;
    for (let i = 0; i < n; i++) {
      const x = Math.abs(v[i * n + j]);
      if (x > bv * (1 + 1e-9)) {
        bv = x;
        bi = i;
      }
    }
    const sign = v[bi * n + j] < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vectors[i * n + t] = sign * v[i * n + j];
  }
  return { values, vectors, n };
}
