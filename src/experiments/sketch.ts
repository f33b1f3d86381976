/**
 * Kind `sketch`: sketched least squares against the exact solution, for every sketch (Gaussian,
 * SRHT, CountSketch, OSNAP) at several sizes m, on an A of controllable coherence or from a file.
 * S·[A | b] runs on the GPU (src/sketch), the solves in f64 on the CPU. The summary reports the
 * ℓ∞ ratio the dense-sketch guarantee bounds (ALGORITHMS.md §8) — measured, whatever it shows.
 */
import { qrCpu } from '../linalg/qr';
import { lstsqErrors, pinvNorm, sketchedLstsq, solveLstsq, uploadAb } from '../sketch/lstsq';
import { drawSketch, type SketchType } from '../sketch/sketches';
import { Rng } from '../tensor/rng';
import { defineExperiment, InputError, type KindEvent, throwIfAborted } from './envelope';
import { frobenius } from './measure';
import { checkSizes, type SketchSummary, sketchSchema } from './sketch.schema';

export { SketchConfig, SketchSummary } from './sketch.schema';

const TYPE_LABEL: Record<SketchType, string> = {
  gaussian: 'Gaussian',
  srht: 'SRHT',
  countsketch: 'CountSketch',
  osnap: 'OSNAP',
};

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** The generated problem matrices (row-major n × d, float64). */
function generateA(p: { type: 'coherent' | 'gaussian'; n: number; d: number; blockStd?: number }, rng: Rng) {
  const { n, d } = p;
  const a = new Float64Array(n * d);
  if (p.type === 'gaussian') {
    for (let i = 0; i < n * d; i++) a[i] = rng.normal();
    return a;
  }
  for (let j = 0; j < d; j++) a[j * d + j] = 1;
  const s = p.blockStd ?? 0.01;
  for (let i = d * d; i < n * d; i++) a[i] = s * rng.normal();
  return a;
}

export const sketch = defineExperiment({
  ...sketchSchema,
  async *run(config, ctx): AsyncGenerator<KindEvent, SketchSummary> {
    const rng = new Rng(config.seed);
    const aRng = rng.fork();
    const bRng = rng.fork();
    let a: Float64Array;
    let n: number;
    let d: number;
    let name: string;
    if (config.problem.type === 'matrix') {
      const m = await ctx.loadMatrix(config.problem.matrix, 'problem.matrix');
      n = m.rows;
      d = m.cols;
      a = m.data;
      name = m.name;
      checkSizes(config, n, d, 'problem.matrix');
    } else {
      ({ n, d } = config.problem);
      a = generateA(config.problem, aRng);
      name =
        config.problem.type === 'coherent'
          ? `[I_${d} ; ${config.problem.blockStd}·G] (${n} × ${d}, high coherence)`
          : `Gaussian ${n} × ${d} (low coherence)`;
    }
    if (!(frobenius(a) > 0)) throw new InputError(`${name} is all zeros`, 'problem');
    const xTrue = bRng.normals(d);
    const b = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += a[i * d + j] * xTrue[j];
      b[i] = s + config.noise * bRng.normal();
    }
    yield { type: 'progress', fraction: 0, message: 'exact solution (f64 QR)' };
    const xStar = solveLstsq(a, n, d, b);
    const { Q } = qrCpu(a, n, d);
    let maxLeverage = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Q[i * d + j] ** 2;
      maxLeverage = Math.max(maxLeverage, s);
    }
    const pinv = pinvNorm(a, n, d);
    let r2 = 0;
    for (let i = 0; i < n; i++) {
      let r = -b[i];
      for (let j = 0; j < d; j++) r += a[i * d + j] * xStar[j];
      r2 += r * r;
    }
    if (!(r2 > 0))
      throw new InputError(
        'b lies in range(A) (noise 0): the ℓ∞ ratio divides by ‖A·x* − b‖ = 0; set noise > 0',
        'noise',
      );
    const summary: SketchSummary = {
      problem: { name, n, d, maxLeverage, residualNorm: Math.sqrt(r2), pinvNorm: pinv },
      sketches: [],
    };
    ctx.setSummary(summary);
    const ab = uploadAb(ctx.gpu, a, n, d, b);
    const total = config.sketches.length * config.m.length;
    try {
      let done = 0;
      for (const entry of config.sketches) {
        const sRng = rng.fork();
        const label =
          entry.label ??
          `${TYPE_LABEL[entry.type]}${entry.type === 'osnap' && entry.s ? ` (s = ${entry.s})` : ''}`;
        for (const m of config.m) {
          throwIfAborted(ctx.signal);
          yield { type: 'progress', fraction: done / total, message: `${label}, m = ${m}` };
          const rows: Array<{ l2Error: number; linfRatio: number; residualRatio: number; ms: number }> = [];
          for (let t = 0; t < config.trials; t++) {
            const p = drawSketch(entry.type, m, n, sRng, { s: entry.s });
            const t0 = performance.now();
            const x = await sketchedLstsq(p, ab);
            const ms = performance.now() - t0;
            rows.push({ ...lstsqErrors(a, n, d, b, x, xStar, pinv), ms });
          }
          const row = {
            label,
            type: entry.type,
            m,
            l2Error: median(rows.map((r) => r.l2Error)),
            linfRatio: median(rows.map((r) => r.linfRatio)),
            linfRatioMax: Math.max(...rows.map((r) => r.linfRatio)),
            residualRatio: median(rows.map((r) => r.residualRatio)),
            ms: median(rows.map((r) => r.ms)),
          };
          summary.sketches.push(row);
          yield { type: 'metric', series: `linfRatio/${entry.type}`, step: m, value: row.linfRatio };
          yield { type: 'metric', series: `l2Error/${entry.type}`, step: m, value: row.l2Error };
          yield { type: 'metric', series: `residualRatio/${entry.type}`, step: m, value: row.residualRatio };
          done++;
        }
      }
    } finally {
      ab.dispose();
    }
    yield { type: 'progress', fraction: 1, message: 'done' };
    return summary;
  },
});
