/**
 * Kind `compression` — run(): load the shipped base weights, measure the validation loss on the
 * GPU, and for every (method, budget) replace each targeted Linear's W by its structured family's
 * projection at that budget (src/structured: truncated SVD, FWSVD with Fisher importances from a
 * few training batches, Monarch, block-diagonal, sparse, sparse + low rank; Linear.swapStructured),
 * measure the validation loss again, optionally fine-tune the compressed factors for a few steps
 * (recovery) and measure once more, then put the dense weights back. Streams `valLoss/<label>`,
 * `valLossRecovered/<label>` and `relWeightError/<label>` with step = budget.
 */
import { Batcher, CorpusError, evalBatches, loadCorpus, splitCorpus, type TokenBatch } from '../data/text';
import { targetLinears } from '../nn/adapters/targets';
import type { Linear } from '../nn/linear';
import { crossEntropy } from '../nn/loss';
import { type NamedParam, Optimizer } from '../nn/optim/optimizer';
import type { OptimizerSpec } from '../nn/optim/schema';
import { loadShippedModel } from '../nn/shipped';
import { evaluate, fixedLrStep } from '../nn/train';
import type { Transformer } from '../nn/transformer';
import { familyOf } from '../structured/registry';
import type { FamilySpec } from '../structured/specs';
import type { StructuredMatrix } from '../structured/types';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import {
  type CompressionConfig,
  type CompressionMethod,
  type CompressionSummary,
  compressionLabels,
  compressionSchema,
  compressionTargets,
  specAtBudget,
} from './compression.schema';
import { defineExperiment, InputError, type KindContext, type KindEvent, throwIfAborted } from './envelope';
import { sig } from './measure';

export interface Target {
  path: string;
  linear: Linear;
  out: number;
  in: number;
  /** The dense W (out × in) as loaded. */
  weight: Float32Array;
}

/** The Linears `targets` selects in `model`, each with its dense W read back. */
export async function readTargets(
  model: Parameters<typeof targetLinears>[0],
  targets: Parameters<typeof targetLinears>[1],
): Promise<Target[]> {
  const out: Target[] = [];
  for (const { path, linear } of targetLinears(model, targets))
    out.push({
      path,
      linear,
      out: linear.outFeatures,
      in: linear.inFeatures,
      weight: await (linear.weight as Tensor).read(),
    });
  return out;
}

/**
 * Fisher importance of each target's input features (ALGORITHMS.md §1, FWSVD): per batch the
 * gradient G of the mean cross-entropy w.r.t. W (out × in); I_ij = mean over batches of G_ij²;
 * importance_j = Σ_i I_ij (summed over the output axis: one value per input feature, the axis the
 * reference reimplementations weight). Only the targets' weights get gradients; none is kept.
 */
export async function fisherImportance(
  model: Transformer,
  targets: Target[],
  batches: TokenBatch[],
): Promise<Map<string, Float64Array>> {
  const imp = new Map(targets.map((t) => [t.path, new Float64Array(t.in)]));
  const ws = targets.map((t) => t.linear.weight as Tensor);
  for (const w of ws) w.requiresGrad = true;
  try {
    for (const b of batches) {
      tidy(() => crossEntropy(model.forward(b.x, b.batch, b.context), b.y).backward());
      for (const [k, t] of targets.entries()) {
        const w = ws[k];
        const g = w.grad ? await w.grad.read() : new Float32Array(t.out * t.in);
        w.grad?.dispose();
        w.grad = null;
        const acc = imp.get(t.path) as Float64Array;
        for (let i = 0; i < t.out; i++)
          for (let j = 0; j < t.in; j++) {
            const v = g[i * t.in + j];
            acc[j] += (v * v) / batches.length;
          }
      }
    }
  } finally {
    for (const w of ws) {
      w.grad?.dispose();
      w.grad = null;
      w.requiresGrad = false;
    }
  }
  return imp;
}

/** Project every target with its spec and swap the projections in; returns them (caller disposes). */
export async function compressTargets(
  targets: Target[],
  specs: FamilySpec[],
  rng: Rng,
): Promise<{ matrices: StructuredMatrix[]; errSq: number; normSq: number }> {
  const matrices: StructuredMatrix[] = [];
  let errSq = 0;
  let normSq = 0;
  try {
    for (const [k, t] of targets.entries()) {
      const W = Tensor.fromArray(t.linear.weight?.gpu as Tensor['gpu'], t.weight, [t.out, t.in]);
      let sm: StructuredMatrix;
      try {
        sm = await familyOf(specs[k]).project(W, specs[k], { rng: rng.fork() });
      } finally {
        W.dispose();
      }
      matrices.push(sm);
      const D = tidy(() => sm.toDense());
      const d = await D.read();
      D.dispose();
      for (let i = 0; i < d.length; i++) {
        errSq += (t.weight[i] - d[i]) ** 2;
        normSq += t.weight[i] ** 2;
      }
      t.linear.swapStructured(sm);
    }
  } catch (e) {
    restoreTargets(targets, matrices);
    throw e;
  }
  return { matrices, errSq, normSq };
}

/** Swap the dense weights back in and free the projections. */
export function restoreTargets(targets: Target[], matrices: StructuredMatrix[]): void {
  for (const t of targets) t.linear.swapStructured(null);
  for (const m of matrices) m.dispose();
}

function withLr(o: OptimizerSpec, lr: number): OptimizerSpec {
  return o.name === 'muon' || o.name === 'auon' ? { ...o, lr, adamLr: lr } : { ...o, lr };
}

async function* run(c: CompressionConfig, ctx: KindContext): AsyncGenerator<KindEvent, CompressionSummary> {
  const layers = compressionTargets(c);
  const base = await loadShippedModel(ctx.gpu, c.base);
  const { model, vocab } = base;
  const T = base.info.spec.context;
  try {
    let split: { train: Uint32Array; val: Uint32Array };
    try {
      // the same split as the base's recipe (names: a seeded shuffle of whole lines)
      split = splitCorpus(vocab, c.corpus, await loadCorpus(c.corpus), c.valFraction);
    } catch (e) {
      if (e instanceof CorpusError)
        throw new InputError(`${e.message} of ${c.base} (pick a corpus written in its characters)`, 'corpus');
      throw e;
    }
    if (split.val.length < T + 1)
      throw new InputError(
        `the validation text (${split.val.length} tokens) is shorter than context + 1`,
        'valFraction',
      );
    const evalSet = evalBatches(
      c.evalSplit === 'train' ? split.train : split.val,
      c.batch,
      T,
      c.evalBatches * c.batch,
    );
    for (const p of model.namedParameters()) p.tensor.requiresGrad = false;
    const targets = await readTargets(model, c.targets);
    const denseParams = targets.reduce((a, t) => a + t.out * t.in, 0);
    yield { type: 'progress', fraction: 0, message: `validation loss of ${c.base}` };
    const baseValLoss = await evaluate(model, evalSet);
    const labels = compressionLabels(c);
    const summary: CompressionSummary = {
      base: base.info.title,
      corpus: `${c.corpus} (${c.evalSplit === 'train' ? 'training' : 'validation'} split)`,
      layers: layers.map((l) => ({ path: l.path, out: l.out, in: l.in })),
      denseParams,
      baseValLoss,
      methods: [],
      skipped: [],
      fwsvdVsSvd: [],
      fisherMs: 0,
    };
    ctx.setSummary(summary);

    let importance: Map<string, Float64Array> | null = null;
    if (c.methods.some((m) => m.method === 'fwsvd')) {
      yield { type: 'progress', fraction: 0, message: `Fisher importance from ${c.fisherBatches} batches` };
      const fb = new Batcher(split.train, c.batch, T, c.seed + 1);
      const batches = Array.from({ length: c.fisherBatches }, () => fb.next());
      const t0 = performance.now();
      importance = await fisherImportance(model, targets, batches);
      summary.fisherMs = performance.now() - t0;
      for (const t of targets)
        yield {
          type: 'artifact',
          name: `fisherImportance/${t.path}`,
          data: {
            type: 'vector',
            label: `Fisher importance of the input features of ${t.path}`,
            values: Array.from(importance.get(t.path) as Float64Array, (v) => sig(v)),
          },
        };
    }

    const budgets = [...c.budgets].sort((a, b) => a - b);
    const total = c.methods.length * budgets.length;
    const rng = new Rng(c.seed);
    let done = 0;
    for (const [mi, m] of c.methods.entries()) {
      const label = labels[mi];
      const usedBy = new Map<string, number>();
      for (const budget of budgets) {
        throwIfAborted(ctx.signal);
        const pointRng = rng.fork();
        const frac = () => done / total;
        const plan = planAt(m, targets, budget, importance);
        if ('reason' in plan) {
          summary.skipped.push({ label, method: m.method, budget, reason: plan.reason });
          done++;
          continue;
        }
        const key = JSON.stringify(plan.specs.map((s) => ({ ...s, importance: undefined })));
        const prev = usedBy.get(key);
        if (prev !== undefined) {
          summary.skipped.push({
            label,
            method: m.method,
            budget,
            reason: `the largest members within this budget (${plan.text}) are those of budget ${prev}`,
          });
          done++;
          continue;
        }
        usedBy.set(key, budget);
        yield { type: 'progress', fraction: frac(), message: `${label} at budget ${budget}: ${plan.text}` };
        const t0 = performance.now();
        const { matrices, errSq, normSq } = await compressTargets(targets, plan.specs, pointRng);
        const compressMs = performance.now() - t0;
        try {
          const params = matrices.reduce((a, s) => a + s.params, 0);
          const valLoss = await evaluate(model, evalSet);
          const row: CompressionSummary['methods'][number] = {
            label,
            method: m.method,
            budget,
            params,
            paramFraction: params / denseParams,
            spec: plan.text,
            valLoss,
            relWeightError: Math.sqrt(errSq / normSq),
            compressMs,
          };
          yield { type: 'metric', series: `valLoss/${label}`, step: budget, value: valLoss };
          yield {
            type: 'metric',
            series: `relWeightError/${label}`,
            step: budget,
            value: row.relWeightError,
          };
          if (c.recovery) {
            const rec = c.recovery;
            const named: NamedParam[] = [];
            matrices.forEach((s, k) => {
              s.parameters().forEach((p, i) => {
                p.trainable();
                named.push({ name: `${targets[k].path}.weight.${i}`, tensor: p });
              });
            });
            const opt = new Optimizer(named, withLr(rec.optimizer, rec.lr), () => false);
            const rb = new Batcher(split.train, c.batch, T, c.seed + 2);
            try {
              for (let s = 0; s < rec.steps; s++) {
                throwIfAborted(ctx.signal);
                const b = rb.next();
                const v = await fixedLrStep(
                  opt,
                  () => crossEntropy(model.forward(b.x, b.batch, b.context), b.y),
                  () =>
                    `${label} at budget ${budget}: recovery diverged at step ${s} (lr ${rec.lr}): the loss is not finite`,
                );
                if ((s + 1) % 10 === 0)
                  yield {
                    type: 'progress',
                    fraction: (done + (s + 1) / rec.steps) / total,
                    message: `${label} at budget ${budget}: recovery step ${s + 1} of ${rec.steps}, loss ${v.toPrecision(4)}`,
                  };
              }
            } finally {
              opt.dispose();
            }
            row.valLossRecovered = await evaluate(model, evalSet);
            yield {
              type: 'metric',
              series: `valLossRecovered/${label}`,
              step: budget,
              value: row.valLossRecovered,
            };
          }
          summary.methods.push(row);
          summary.fwsvdVsSvd = compare(c, labels, summary.methods);
          ctx.setSummary(summary);
        } finally {
          restoreTargets(targets, matrices);
        }
        done++;
      }
    }
    yield { type: 'progress', fraction: 1, message: 'done' };
    return summary;
  } finally {
    model.dispose();
  }
}

/** Each target's member at the budget (FWSVD with its importances), or the first layer that has none. */
function planAt(
  m: CompressionMethod,
  targets: Target[],
  budget: number,
  importance: Map<string, Float64Array> | null,
): { specs: FamilySpec[]; text: string } | { reason: string } {
  const specs: FamilySpec[] = [];
  const texts: string[] = [];
  for (const t of targets) {
    const p = specAtBudget(m, t.out, t.in, budget);
    if ('reason' in p) return { reason: `${t.path} (${t.out} × ${t.in}): ${p.reason}` };
    let spec = p.spec;
    if (spec.family === 'fwsvd') spec = { ...spec, importance: Array.from(importance?.get(t.path) ?? []) };
    specs.push(spec);
    const text = `${t.out} × ${t.in}: ${memberText(p.spec)}`;
    if (!texts.includes(text)) texts.push(text);
  }
  return { specs, text: texts.join('; ') };
}

function memberText(s: FamilySpec): string {
  switch (s.family) {
    case 'lowrank':
    case 'fwsvd':
      return `rank ${s.rank}`;
    case 'blockdiag':
      return `${s.blocks} blocks`;
    case 'monarch':
      return `m1 = ${s.blocks}`;
    case 'sparse':
      return `${+(s.density * 100).toPrecision(3)}% of entries`;
    case 'sparse+lowrank':
      return `rank ${s.rank} + ${+(s.density * 100).toPrecision(3)}% of entries`;
    default:
      return s.family;
  }
}

/** FWSVD against SVD per budget: the first svd and the first fwsvd method of the config. */
function compare(
  c: CompressionConfig,
  labels: string[],
  rows: CompressionSummary['methods'],
): CompressionSummary['fwsvdVsSvd'] {
  const si = c.methods.findIndex((m) => m.method === 'svd');
  const fi = c.methods.findIndex((m) => m.method === 'fwsvd');
  if (si < 0 || fi < 0) return [];
  const out: CompressionSummary['fwsvdVsSvd'] = [];
  for (const s of rows.filter((r) => r.label === labels[si])) {
    const f = rows.find((r) => r.label === labels[fi] && r.budget === s.budget);
    if (!f) continue;
    out.push({
      budget: s.budget,
      svdValLoss: s.valLoss,
      fwsvdValLoss: f.valLoss,
      fwsvdBetter: f.valLoss < s.valLoss,
      ...(s.valLossRecovered !== undefined && f.valLossRecovered !== undefined
        ? { svdValLossRecovered: s.valLossRecovered, fwsvdValLossRecovered: f.valLossRecovered }
        : {}),
    });
  }
  return out;
}

export const compression = defineExperiment({ ...compressionSchema, run });
