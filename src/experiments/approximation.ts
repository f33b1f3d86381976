/**
 * Kind `approximation`: one matrix × a list of structured methods. Per method: stored parameters,
 * relative Frobenius and spectral errors, singular values of W and of Ŵ, an error heatmap
 * (|W − Ŵ|, block means onto ≤ 64 × 64), and the GPU time of applying Ŵ vs dense W to a batch.
 * An optional sweep projects every family at a list of parameter budgets (fractions of the dense
 * count) and streams error-vs-parameters curves, series `error/<family>` with step = params.
 */
import { familyOf } from '../structured/registry';
import {
  type FamilyName,
  type FamilySpec,
  specLabel,
  specParamCount,
  validateSpec,
} from '../structured/specs';
import { matmul } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import {
  type ApproximationConfig,
  type ApproximationSummary,
  approximationSchema,
  checkShape,
} from './approximation.schema';
import { defineExperiment, InputError, type KindContext, type KindEvent, throwIfAborted } from './envelope';
import {
  difference,
  downsample,
  exactSvdAffordable,
  frobenius,
  singularValues,
  spectralNorm,
  type TimeStats,
  timeStats,
} from './measure';

type Spec = FamilySpec;

function divisors(n: number): number[] {
  const d: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) d.push(i);
  return d;
}

/** Candidate specs of a family for a sweep over `budgets` (fractions of rows·cols). */
function candidates(family: FamilyName, rows: number, cols: number, budgets: number[]): Spec[] {
  const k = Math.min(rows, cols);
  const ranks = Array.from({ length: k }, (_, i) => i + 1);
  const dens = budgets.flatMap((b) => [b, b / 2, b / 3, b / 4]).filter((d) => d > 0 && d <= 1);
  switch (family) {
    case 'lowrank':
      return ranks.map((rank) => ({ family, rank, method: 'auto', oversample: 10, niter: 4 }));
    case 'fwsvd':
    case 'orthoproj':
      return ranks.map((rank) => ({ family, rank }) as Spec);
    case 'blockdiag':
      return divisors(k).map((blocks) => ({ family, blocks }));
    case 'monarch':
      return divisors(k).map((blocks) => ({ family, blocks }));
    case 'sparse':
      return dens.map((density) => ({ family, density }));
    case 'nm-sparse': {
      const out: Spec[] = [];
      for (const m of [2, 4, 8, 16]) for (let n = 1; n < m; n++) out.push({ family, n, m });
      return out;
    }
    case 'sparse+lowrank': {
      const out: Spec[] = [];
      for (const rank of ranks.filter((r) => r <= 64))
        for (const density of dens) out.push({ family, rank, density: density / 2, rounds: 5 });
      return out;
    }
    case 'kronecker':
      return ranks.filter((t) => t <= 16).map((terms) => ({ family, terms }));
    case 'dense-sparse': {
      const out: Spec[] = [];
      for (const rank of ranks.filter((r) => r <= 64 || r % 8 === 0))
        for (const [n, m] of [
          [1, 4],
          [2, 4],
          [4, 4],
        ])
          out.push({ family, rank, n, m, rounds: 5 });
      return out;
    }
  }
}

/** A sweep budget a family could not meet, and why (`summary.skipped`). */
export interface SkippedBudget {
  family: string;
  budget: number;
  reason: string;
}

/**
 * For each budget, the valid candidate with the most parameters within it (deduplicated), and the
 * budgets that got no point of their own: no member fits the shape, the smallest member is over
 * the budget, or the best member within it is the one a smaller budget already used.
 */
export function sweepPlan(family: FamilyName, rows: number, cols: number, budgets: number[]) {
  const valid: Array<{ spec: Spec; params: number }> = [];
  for (const spec of candidates(family, rows, cols, budgets)) {
    try {
      validateSpec(spec, rows, cols);
      valid.push({ spec, params: specParamCount(spec, rows, cols) });
    } catch {
      // not a valid member for this shape
    }
  }
  const label = (c: { spec: Spec; params: number }) =>
    `${specLabel(c.spec)} (${c.params.toLocaleString('en-US')} parameters)`;
  const smallest = valid.reduce<{ spec: Spec; params: number } | null>(
    (a, c) => (!a || c.params < a.params ? c : a),
    null,
  );
  const points: Array<{ spec: Spec; params: number; budget: number }> = [];
  const skipped: SkippedBudget[] = [];
  const usedBy = new Map<string, number>();
  for (const budget of [...budgets].sort((a, b) => a - b)) {
    const cap = budget * rows * cols;
    const within = `the budget ${budget} × ${rows} × ${cols} = ${Math.floor(cap).toLocaleString('en-US')} parameters`;
    let best: { spec: Spec; params: number } | null = null;
    for (const c of valid) if (c.params <= cap && (!best || c.params > best.params)) best = c;
    if (!smallest) {
      skipped.push({ family, budget, reason: `no ${family} member fits a ${rows} × ${cols} matrix` });
      continue;
    }
    if (!best) {
      skipped.push({
        family,
        budget,
        reason: `the smallest ${family} member for ${rows} × ${cols}, ${label(smallest)}, is over ${within}`,
      });
      continue;
    }
    const key = JSON.stringify(best.spec);
    const prev = usedBy.get(key);
    if (prev !== undefined) {
      skipped.push({
        family,
        budget,
        reason: `the largest member within ${within} is ${label(best)}, already the point of budget ${prev}`,
      });
      continue;
    }
    usedBy.set(key, budget);
    points.push({ ...best, budget });
  }
  return { points, skipped };
}

/** For each budget, the valid candidate with the most parameters within it (deduplicated). */
export function sweepSpecs(family: FamilyName, rows: number, cols: number, budgets: number[]) {
  return sweepPlan(family, rows, cols, budgets).points;
}

function uniqueLabels(labels: string[]): string[] {
  const count = new Map<string, number>();
  return labels.map((l) => {
    const n = (count.get(l) ?? 0) + 1;
    count.set(l, n);
    return n === 1 ? l : `${l} #${n}`;
  });
}

interface Projected {
  params: number;
  dense: Float64Array;
  relFrob: number;
  relSpectral: number;
  apply: TimeStats | null;
}

async function projectAndMeasure(
  ctx: KindContext,
  config: ApproximationConfig,
  W: Tensor,
  w: Float64Array,
  rows: number,
  cols: number,
  norms: { fro: number; spec: number },
  spec: Spec,
  rng: Rng,
  timeIt: boolean,
  x: Tensor | null,
): Promise<Projected> {
  const M = await familyOf(spec).project(W, spec, { rng: rng.fork() });
  try {
    const D = tidy(() => M.toDense()); // tidy: some families leave intermediates
    const dense = Float64Array.from(await D.read());
    D.dispose();
    const err = difference(w, dense);
    const relFrob = frobenius(err) / norms.fro;
    const relSpectral = spectralNorm(err, rows, cols, rng.fork()) / norms.spec;
    let apply: TimeStats | null = null;
    if (timeIt && x) {
      throwIfAborted(ctx.signal);
      apply = await timeStats(ctx.gpu, () => tidy(() => void M.apply(x)), config.warmup, config.repeats);
    }
    return { params: M.params, dense, relFrob, relSpectral, apply };
  } finally {
    M.dispose();
  }
}

export const approximation = defineExperiment({
  ...approximationSchema,
  async *run(config, ctx): AsyncGenerator<KindEvent, ApproximationSummary> {
    const rng = new Rng(config.seed);
    const m = await ctx.loadMatrix(config.matrix, 'matrix');
    const { rows, cols } = m;
    checkShape(config, rows, cols);
    const sweepFamilies = config.sweep
      ? (config.sweep.families ?? [...new Set(config.methods.map((s) => s.family))])
      : [];
    const w = m.data;
    const fro = frobenius(w);
    if (!(fro > 0)) throw new InputError(`${m.name} is all zeros: relative errors are undefined`, 'matrix');
    const exact = exactSvdAffordable(rows, cols);
    const sW = exact ? singularValues(w, rows, cols) : null;
    const normRng = rng.fork();
    const xRng = rng.fork(); // drawn whether or not timing is on: figures do not depend on it
    const spec = sW ? sW[0] : spectralNorm(w, rows, cols, normRng);
    const norms = { fro, spec };
    if (sW)
      yield {
        type: 'artifact',
        name: 'singularValues/W',
        data: { type: 'vector', label: 'singular values of W', values: Array.from(sW) },
      };

    const summary: ApproximationSummary = {
      matrix: { name: m.name, rows, cols, frobNorm: fro, spectralNorm: spec },
      methods: [],
    };
    ctx.setSummary(summary);
    const labels = uniqueLabels(config.methods.map(specLabel));
    const sweepPlans = sweepFamilies.map((f) => ({
      family: f,
      ...sweepPlan(f, rows, cols, config.sweep?.budgets ?? []),
    }));
    const totalSteps = config.methods.length + sweepPlans.reduce((a, p) => a + p.points.length, 0) + 1;
    let step = 0;
    const progress = (message: string): KindEvent => ({
      type: 'progress',
      fraction: step / totalSteps,
      message,
    });

    const W = Tensor.fromArray(ctx.gpu, Float32Array.from(w), [rows, cols]);
    const x = config.timing ? Tensor.randn(ctx.gpu, [config.batch, cols], xRng) : null;
    try {
      let denseT: TimeStats | null = null;
      if (x) {
        yield progress('timing dense X·Wᵀ');
        denseT = await timeStats(
          ctx.gpu,
          () => tidy(() => void matmul(x, W, { transB: true })),
          config.warmup,
          config.repeats,
        );
      }
      step++;
      for (let i = 0; i < config.methods.length; i++) {
        throwIfAborted(ctx.signal);
        const s = config.methods[i];
        yield progress(`${labels[i]} (${i + 1}/${config.methods.length})`);
        const r = await projectAndMeasure(ctx, config, W, w, rows, cols, norms, s, rng.fork(), Boolean(x), x);
        const row = {
          label: labels[i],
          family: s.family,
          params: r.params,
          paramFraction: r.params / (rows * cols),
          relFrobError: r.relFrob,
          relSpectralError: r.relSpectral,
          applyMs: r.apply?.median ?? null,
          applyMsMin: r.apply?.min ?? null,
          applyMsMax: r.apply?.max ?? null,
          denseMs: denseT?.median ?? null,
          denseMsMin: denseT?.min ?? null,
          denseMsMax: denseT?.max ?? null,
          timingSamples: r.apply?.n ?? null,
        };
        summary.methods.push(row);
        if (exact)
          yield {
            type: 'artifact',
            name: `singularValues/${labels[i]}`,
            data: {
              type: 'vector',
              label: `singular values of ${labels[i]}`,
              values: Array.from(singularValues(r.dense, rows, cols)),
            },
          };
        const absErr = difference(w, r.dense).map(Math.abs);
        yield {
          type: 'artifact',
          name: `errorHeatmap/${labels[i]}`,
          data: { ...downsample(absErr, rows, cols), label: `|W − Ŵ| for ${labels[i]}` },
        };
        step++;
      }
      if (sweepPlans.length) {
        summary.sweep = [];
        summary.skipped = sweepPlans.flatMap((p) => p.skipped);
      }
      for (const plan of sweepPlans) {
        for (const pt of plan.points) {
          throwIfAborted(ctx.signal);
          const label = specLabel(pt.spec);
          yield progress(`sweep: ${label}`);
          const r = await projectAndMeasure(
            ctx,
            config,
            W,
            w,
            rows,
            cols,
            norms,
            pt.spec,
            rng.fork(),
            false,
            null,
          );
          summary.sweep?.push({
            family: plan.family,
            label,
            budget: pt.budget,
            params: r.params,
            relFrobError: r.relFrob,
            relSpectralError: r.relSpectral,
          });
          yield { type: 'metric', series: `error/${plan.family}`, step: r.params, value: r.relFrob };
          yield {
            type: 'metric',
            series: `spectralError/${plan.family}`,
            step: r.params,
            value: r.relSpectral,
          };
          step++;
        }
      }
      yield progress('done');
      return summary;
    } finally {
      W.dispose();
      x?.dispose();
    }
  },
});
