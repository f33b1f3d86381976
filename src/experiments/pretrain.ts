/**
 * Kind `pretrain` — run(): for each model, build the transformer (seeded by the config's seed),
 * train it `steps` optimizer steps on seeded batches (the same batches for every model), stream the
 * losses, evaluate on fixed validation windows, and sample text. A NaN / Inf stops the run naming
 * the step and parameter (status failed; the series and finished models are kept).
 */
import { Batcher, type CharVocab, evalBatches, loadTextDataset } from '../data/text';
import { median } from '../gpu/stats';
import { generate } from '../nn/generate';
import { type WeightSpec, weightParams } from '../nn/linear';
import { evaluate, Trainer, TrainingDivergedError } from '../nn/train';
import { Transformer } from '../nn/transformer';
import type { TransformerSpec } from '../nn/transformer.schema';
import { getFamily, registeredFamilies } from '../structured/registry';
import { SpecError } from '../structured/types';
import { defineExperiment, InputError, type KindContext, type KindEvent, throwIfAborted } from './envelope';
import {
  MAX_BATCH_TOKENS,
  type PretrainConfig,
  PretrainConfig as PretrainConfigSchema,
  type PretrainModel,
  PretrainSummary,
} from './pretrain.schema';
import '../structured';

/** [out, in] of every Linear in one block under this architecture. */
export function linearShapes(m: TransformerSpec): Array<[number, number]> {
  const d = m.dModel;
  const s: Array<[number, number]> =
    m.attention === 'standard'
      ? [
          [d, d],
          [d, d],
          [d, d],
          [d, d],
        ]
      : m.attention === 'collapsed'
        ? [
            [m.heads * d, d],
            [m.heads * d, d],
          ]
        : [[m.heads * d, d]];
  if (m.mlp) s.push([4 * d, d], [d, 4 * d]);
  return s;
}

function linearCount(spec: WeightSpec, shapes: Array<[number, number]>): number {
  return shapes.reduce((a, [o, i]) => a + weightParams(spec, o, i), 0);
}

function candidates(family: string, d: number): WeightSpec[] {
  const r = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  switch (family) {
    case 'dense':
      return [{ family: 'dense' }];
    case 'lowrank':
      return r(d).map((rank) => ({ family: 'lowrank', rank, method: 'auto', oversample: 10, niter: 4 }));
    case 'blockdiag':
      return r(d).map((blocks) => ({ family: 'blockdiag', blocks }));
    case 'monarch':
      return r(d).map((blocks) => ({ family: 'monarch', blocks }));
    case 'kronecker':
      return r(8).flatMap((terms) => r(16).map((factor) => ({ family: 'kronecker', terms, factor })));
    case 'sparse':
      return r(100).map((k) => ({ family: 'sparse', density: k / 100 }));
    case 'sparse+lowrank':
      return [0.01, 0.03, 0.05, 0.1].flatMap((density) =>
        r(d).map((rank) => ({ family: 'sparse+lowrank', rank, density, rounds: 5 })),
      );
    case 'nm-sparse':
      return r(8).flatMap((m) => r(m).map((n) => ({ family: 'nm-sparse', n, m })));
    default:
      return [];
  }
}

/** The family's spec whose Linear parameters are closest to budget × dense (ties: the smaller). */
export function budgetSpec(family: string, m: TransformerSpec, budget: number): WeightSpec {
  const shapes = linearShapes(m);
  const target = budget * linearCount({ family: 'dense' }, shapes);
  let best: WeightSpec | null = null;
  let bestGap = Number.POSITIVE_INFINITY;
  for (const c of candidates(family, m.dModel)) {
    const n = linearCount(c, shapes);
    if (!Number.isFinite(n)) continue;
    const gap = Math.abs(n - target);
    if (gap < bestGap) {
      best = c;
      bestGap = gap;
    }
  }
  if (!best) throw new Error(`no ${family} spec fits every Linear of this model`);
  return best;
}

function labelOf(spec: WeightSpec): string {
  if (spec.family === 'dense') return 'dense';
  return getFamily(spec.family).label(spec as never);
}

export interface ResolvedModel {
  label: string;
  linear: WeightSpec;
}

export function resolveModels(c: PretrainConfig): ResolvedModel[] {
  const out = c.models.map((m: PretrainModel, i) => {
    let linear: WeightSpec;
    if ('linear' in m) linear = m.linear as WeightSpec;
    else {
      try {
        linear = budgetSpec(m.family, c.model, c.budget);
      } catch (e) {
        throw new InputError((e as Error).message, `models[${i}].family`);
      }
    }
    return { label: m.label ?? labelOf(linear), linear };
  });
  const seen = new Set<string>();
  out.forEach((m, i) => {
    if (seen.has(m.label))
      throw new InputError(`label '${m.label}' is used twice; give each model its own`, `models[${i}].label`);
    seen.add(m.label);
  });
  return out;
}

function check(c: PretrainConfig): void {
  const m = c.model;
  if (m.dModel % m.heads !== 0)
    throw new InputError(`dModel ${m.dModel} is not divisible by heads ${m.heads}`, 'model.heads');
  if (c.batch * m.context > MAX_BATCH_TOKENS)
    throw new InputError(
      `batch × context = ${c.batch * m.context} tokens exceeds ${MAX_BATCH_TOKENS}`,
      'batch',
    );
  const known = registeredFamilies().map((f) => f.name as string);
  c.models.forEach((entry, i) => {
    if (!('linear' in entry)) return;
    const spec = entry.linear;
    if (spec.family === 'dense') return;
    if (!known.includes(spec.family))
      throw new InputError(`family '${spec.family}' is not available`, `models[${i}].linear.family`);
    for (const [o, inp] of linearShapes(m)) {
      try {
        getFamily(spec.family).validate(spec as never, o, inp);
      } catch (e) {
        if (e instanceof SpecError)
          throw new InputError(
            `${e.message} (a ${o} × ${inp} Linear of this model)`,
            `models[${i}].linear.${e.field}`,
          );
        throw e;
      }
    }
  });
  resolveModels(c);
}

async function* run(c: PretrainConfig, ctx: KindContext): AsyncGenerator<KindEvent, PretrainSummary> {
  const data = await loadTextDataset(c.corpus, c.valFraction);
  const T = c.model.context;
  if (data.val.length < T + 1)
    throw new InputError(
      `the validation text (${data.val.length} tokens) is shorter than context + 1`,
      'valFraction',
    );
  const evalSet = evalBatches(data.val, c.batch, T, c.evalWindows);
  const summary: PretrainSummary = {
    corpus: c.corpus,
    vocab: data.vocab.size,
    trainTokens: data.train.length,
    valTokens: data.val.length,
    models: [],
  };
  ctx.setSummary(summary);
  const models = resolveModels(c);
  for (const [mi, m] of models.entries()) {
    const model = new Transformer(ctx.gpu, {
      vocab: data.vocab.size,
      spec: c.model,
      linear: m.linear,
      seed: c.seed,
    });
    const trainer = new Trainer(model, {
      optimizer: c.optimizer,
      schedule: c.schedule,
      steps: c.steps,
      clip: c.clip,
    });
    const batcher = new Batcher(data.train, c.batch, T, c.seed + 1);
    const times: number[] = [];
    let loss = Number.NaN;
    let valLoss = Number.NaN;
    let sample: string | undefined;
    try {
      for (let s = 0; s < c.steps; s++) {
        throwIfAborted(ctx.signal);
        const t0 = performance.now();
        try {
          loss = (await trainer.step(batcher.next())).loss;
        } catch (e) {
          if (e instanceof TrainingDivergedError) {
            const err = new Error(`${m.label}: ${e.message}`);
            err.name = 'TrainingDivergedError';
            throw err;
          }
          throw e;
        }
        if (s > 0) times.push(performance.now() - t0);
        yield { type: 'metric', series: `loss/${m.label}`, step: s + 1, value: loss };
        const last = s === c.steps - 1;
        if ((s + 1) % c.evalEvery === 0 || last) {
          valLoss = await evaluate(model, evalSet);
          yield { type: 'metric', series: `valLoss/${m.label}`, step: s + 1, value: valLoss };
        }
        if (c.sampleEvery > 0 && ((s + 1) % c.sampleEvery === 0 || last)) {
          sample = await sampleText(model, data.vocab, c, s);
          yield {
            type: 'progress',
            fraction: (mi + (s + 1) / c.steps) / models.length,
            message: `${m.label} step ${s + 1}: ${JSON.stringify(sample)}`,
          };
        } else if ((s + 1) % 10 === 0)
          yield {
            type: 'progress',
            fraction: (mi + (s + 1) / c.steps) / models.length,
            message: `${m.label}: step ${s + 1} of ${c.steps}, loss ${loss.toFixed(3)}`,
          };
      }
      const ms = times.length ? median(times) : Number.NaN;
      summary.models.push({
        label: m.label,
        linear: m.linear as Record<string, unknown>,
        params: model.numParams(),
        linearParams: linearCount(m.linear, linearShapes(c.model)) * c.model.layers,
        denseLinearParams: linearCount({ family: 'dense' }, linearShapes(c.model)) * c.model.layers,
        finalLoss: loss,
        finalValLoss: valLoss,
        msPerStep: ms,
        tokensPerSecond: (c.batch * T * 1000) / ms,
        ...(sample !== undefined ? { sample } : {}),
      });
      ctx.setSummary(summary);
    } finally {
      trainer.dispose();
      model.dispose();
    }
  }
  return summary;
}

async function sampleText(
  model: Transformer,
  vocab: CharVocab,
  c: PretrainConfig,
  step: number,
): Promise<string> {
  const start = vocab.chars.indexOf('\n');
  const ids = await generate(model, {
    prompt: [Math.max(start, 0)],
    tokens: c.sampleTokens,
    temperature: c.temperature,
    seed: c.seed + step,
  });
  return vocab.decode(ids);
}

export const pretrain = defineExperiment({
  kind: 'pretrain',
  title: 'Pretrain the tiny transformer on text, dense vs structured Linears at equal parameters',
  config: PretrainConfigSchema,
  summary: PretrainSummary,
  check,
  timingFields: ['msPerStep', 'tokensPerSecond'],
  timingSeries: [],
  run,
});
