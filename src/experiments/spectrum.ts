/**
 * Kind `spectrum`: a gallery of generated matrices and their spectra.
 * - `toeplitz-bspline`: T_n from B-spline collocation of a Riesz fractional operator (degree p,
 *   order α; ALGORITHMS.md §6): its eigenvalues beside the symbol samples f(jπ/(n+1)), j = 1…n,
 *   both sorted, and their largest difference.
 * - `structured`: a random member of a structured family (Monarch, block-diagonal, …), n × n,
 *   and its singular values.
 * - `random`: a Gaussian matrix (entries N(0, 1/n)) vs a random orthogonal one: singular values of
 *   both and ‖x_k‖ for x_{k+1} = W x_k on the GPU (series `norm/<label>/gaussian|orthogonal`).
 */
import { bsplineSymbol } from '../data/generators';
import { generate } from '../data/sources';
import { eigh } from '../linalg/eigh';
import { familyOf } from '../structured/registry';
import { specLabel } from '../structured/specs';
import { matmul } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { defineExperiment, type KindEvent, throwIfAborted } from './envelope';
import { frobenius, singularValues } from './measure';
import { type SpectrumConfig, type SpectrumSummary, spectrumSchema } from './spectrum.schema';

type Entry = SpectrumConfig['entries'][number];

function entryLabel(e: Entry, i: number): string {
  if (e.label) return e.label;
  switch (e.type) {
    case 'toeplitz-bspline':
      return `Toeplitz B-spline p=${e.p} α=${e.alpha} n=${e.n}`;
    case 'structured':
      return `${specLabel(e.spec)} n=${e.n}`;
    case 'random':
      return `random n=${e.n} #${i + 1}`;
  }
}

function stats(values: ArrayLike<number>) {
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < values.length; i++) {
    max = Math.max(max, values[i]);
    min = Math.min(min, values[i]);
  }
  return { max, min, condition: min > 0 ? max / min : null };
}

/** ‖x_k‖ for k = 0…steps under x ← x·Wᵀ on the GPU (x starts as a seeded unit vector). */
async function normTrajectory(
  ctx: { gpu: Tensor['gpu'] },
  w: Float64Array,
  size: number,
  x0: Float64Array,
  steps: number,
) {
  const W = Tensor.fromArray(ctx.gpu, Float32Array.from(w), [size, size]);
  let x = Tensor.fromArray(ctx.gpu, Float32Array.from(x0), [1, size]);
  const norms = [frobenius(x0)];
  try {
    for (let k = 0; k < steps; k++) {
      const next = matmul(x, W, { transB: true });
      x.dispose();
      x = next;
      norms.push(frobenius(await x.read()));
    }
  } finally {
    x.dispose();
    W.dispose();
  }
  return norms;
}

export const spectrum = defineExperiment({
  ...spectrumSchema,
  async *run(config, ctx): AsyncGenerator<KindEvent, SpectrumSummary> {
    const rng = new Rng(config.seed);
    const summary: SpectrumSummary = { entries: [] };
    ctx.setSummary(summary);
    const count = config.entries.length;
    for (let i = 0; i < count; i++) {
      throwIfAborted(ctx.signal);
      const e = config.entries[i];
      const erng = rng.fork();
      const label = entryLabel(e, i);
      yield { type: 'progress', fraction: i / count, message: label };
      if (e.type === 'toeplitz-bspline') {
        const T = generate(
          {
            source: 'generate',
            generator: 'toeplitz-bspline',
            n: e.n,
            p: e.p,
            alpha: e.alpha,
            terms: e.terms,
          },
          erng,
        );
        const eig = Array.from(eigh(T.data, e.n, { valuesOnly: true }).values).sort((a, b) => a - b);
        const sym = Array.from({ length: e.n }, (_, j) =>
          bsplineSymbol(((j + 1) * Math.PI) / (e.n + 1), e.p, e.alpha, e.terms),
        ).sort((a, b) => a - b);
        let diff = 0;
        for (let j = 0; j < e.n; j++) diff = Math.max(diff, Math.abs(eig[j] - sym[j]));
        yield {
          type: 'artifact',
          name: `eigenvalues/${label}`,
          data: { type: 'vector', label: 'eigenvalues of T_n, ascending', values: eig },
        };
        yield {
          type: 'artifact',
          name: `symbol/${label}`,
          data: { type: 'vector', label: 'symbol samples f(jπ/(n+1)), ascending', values: sym },
        };
        summary.entries.push({ label, type: e.type, n: e.n, ...stats(eig), symbolMaxAbsDiff: diff });
      } else if (e.type === 'structured') {
        const M = familyOf(e.spec).random(ctx.gpu, e.n, e.n, e.spec, { rng: erng });
        let dense: Float64Array;
        try {
          const D = tidy(() => M.toDense()); // tidy: some families leave intermediates
          dense = Float64Array.from(await D.read());
          D.dispose();
        } finally {
          M.dispose();
        }
        const sv = Array.from(singularValues(dense, e.n, e.n));
        yield {
          type: 'artifact',
          name: `singularValues/${label}`,
          data: { type: 'vector', label: 'singular values', values: sv },
        };
        summary.entries.push({ label, type: e.type, n: e.n, ...stats(sv) });
      } else {
        const G = generate(
          { source: 'generate', generator: 'gaussian', rows: e.n, cols: e.n, std: 1 / Math.sqrt(e.n) },
          erng,
        );
        const Q = generate({ source: 'generate', generator: 'orthogonal', rows: e.n, cols: e.n }, erng);
        const x0 = erng.normals(e.n);
        const n0 = frobenius(x0);
        for (let j = 0; j < e.n; j++) x0[j] /= n0;
        const ratios: Record<string, number> = {};
        for (const [name, M] of [
          ['gaussian', G],
          ['orthogonal', Q],
        ] as const) {
          const sv = Array.from(singularValues(M.data, e.n, e.n));
          yield {
            type: 'artifact',
            name: `singularValues/${label}/${name}`,
            data: { type: 'vector', label: `singular values (${name})`, values: sv },
          };
          const norms = await normTrajectory(ctx, M.data, e.n, x0, e.steps);
          for (let k = 0; k < norms.length; k++)
            yield { type: 'metric', series: `norm/${label}/${name}`, step: k, value: norms[k] };
          ratios[name] = norms[norms.length - 1] / norms[0];
        }
        const svG = singularValues(G.data, e.n, e.n);
        summary.entries.push({
          label,
          type: e.type,
          n: e.n,
          ...stats(svG),
          gaussianNormRatio: ratios.gaussian,
          orthogonalNormRatio: ratios.orthogonal,
        });
      }
    }
    yield { type: 'progress', fraction: 1, message: 'done' };
    return summary;
  },
});
