/**
 * Seeded synthetic attention heads with the structure real heads show, built so that the logits
 * q_i·k_j/√d are a sum of readable parts (in logit units):
 *   local band      a recency ramp j/w: each query favours its last ~w keys (w from 4 to 64);
 *   sinks + heavy   columns 0 … s−1 and a few random heavy tokens get +a_v over the diagonal,
 *                   at any distance (their ramp feature is replaced by the query's own position);
 *   slash diagonals a_s·Σ_m cos(2π m (i − j) / P): peaks every P tokens behind the query;
 *   noise           Gaussian features (logit noise of std σ).
 * Heads draw their own w, s, a_v, a_s, P, σ (every third head slash-heavy, every third
 * vertical-heavy), then Q and K rows are rotated by one random orthogonal matrix per head (logits
 * unchanged, features no longer axis-aligned). V is Gaussian with a decaying spectrum, rotated.
 * Layout [heads, n, d] row-major, f32.
 */
import { ShapeError } from '../gpu/errors';
import { randomOrthogonal } from '../linalg/orthogonal';
import { Rng } from '../tensor/rng';

export interface SyntheticHeads {
  heads: number;
  n: number;
  d: number;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  /** The parameters each head drew (shown in the view). */
  params: Array<{
    window: number;
    sinks: number;
    heavy: number[];
    vertical: number;
    slash: number;
    period: number;
    noise: number;
  }>;
}

export const MIN_SYNTHETIC_D = 8;

export function syntheticHeads(heads: number, n: number, d: number, seed: number): SyntheticHeads {
  if (d < MIN_SYNTHETIC_D || d % 4 !== 0)
    throw new ShapeError(
      `synthetic heads need a head dim d ≥ ${MIN_SYNTHETIC_D} and a multiple of 4, got ${d}`,
    );
  const rng = new Rng(seed);
  const q = new Float32Array(heads * n * d);
  const k = new Float32Array(heads * n * d);
  const v = new Float32Array(heads * n * d);
  const params: SyntheticHeads['params'] = [];
  // q·k = logit·√d: put d^{1/4} on each side.
  const r4 = d ** 0.25;
  const harmonics = Math.min(3, Math.floor((d - 3) / 2));
  for (let h = 0; h < heads; h++) {
    const hr = rng.fork();
    const kind = h % 3;
    const window = 4 * 2 ** Math.floor(hr.uniform() * 5); // 4 … 64
    const sinks = 1 + hr.int(4);
    const heavy = Array.from({ length: kind === 1 ? 3 + hr.int(6) : hr.int(3) }, () => hr.int(n));
    const vertical = kind === 1 ? 4 + 4 * hr.uniform() : 2 + 2 * hr.uniform();
    const slash = kind === 2 ? 1.5 + hr.uniform() : 0.3 * hr.uniform();
    const period = 16 + hr.int(49);
    const noise = 0.3 + 0.5 * hr.uniform();
    params.push({ window, sinks, heavy, vertical, slash, period, noise });
    const isHeavy = new Uint8Array(n);
    for (let j = 0; j < Math.min(sinks, n); j++) isHeavy[j] = 1;
    for (const j of heavy) isHeavy[j] = 1;
    const noiseDims = d - 2 - 2 * harmonics;
    // Σ over noiseDims of two N(0, s²) features has std s²·√noiseDims = noise.
    const s = Math.sqrt(noise) / Math.max(1, noiseDims) ** 0.25;
    const lift = Math.max(1, n / window);
    const fq = new Float64Array(n * d);
    const fk = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      // ramp: q 1, k j/w (heavy tokens: 0, their lift comes from the vertical feature)
      fq[o] = 1;
      fk[o] = isHeavy[i] ? 0 : i / window;
      // vertical: q (i/w + a_v)/S, k S for heavy tokens (S = n/w puts the large values on the key
      // side, where the key PCA sees them, as real heads' sink directions are)
      fq[o + 1] = (i / window + vertical) / lift;
      fk[o + 1] = isHeavy[i] * lift;
      for (let m = 1; m <= harmonics; m++) {
        const a = (2 * Math.PI * m * i) / period;
        const amp = Math.sqrt(slash);
        fq[o + 2 * m] = amp * Math.cos(a);
        fq[o + 2 * m + 1] = amp * Math.sin(a);
        fk[o + 2 * m] = amp * Math.cos(a);
        fk[o + 2 * m + 1] = amp * Math.sin(a);
      }
      for (let c = 2 + 2 * harmonics; c < d; c++) {
        fq[o + c] = s * hr.normal();
        fk[o + c] = s * hr.normal();
      }
    }
    const R = randomOrthogonal(d, hr);
    const Rv = randomOrthogonal(d, hr);
    const base = h * n * d;
    for (let i = 0; i < n; i++) {
      const o = i * d;
      const g = new Float64Array(d);
      for (let c = 0; c < d; c++) g[c] = hr.normal() / (1 + c / 4);
      for (let c = 0; c < d; c++) {
        let sq = 0;
        let sk = 0;
        let sv = 0;
        for (let t = 0; t < d; t++) {
          sq += fq[o + t] * R[t * d + c];
          sk += fk[o + t] * R[t * d + c];
          sv += g[t] * Rv[t * d + c];
        }
        q[base + o + c] = sq * r4;
        k[base + o + c] = sk * r4;
        v[base + o + c] = sv;
      }
    }
  }
  return { heads, n, d, q, k, v, params };
}
