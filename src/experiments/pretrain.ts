/**
 * Kind `pretrain` — run(): for each model, build the transformer (seeded by the config's seed),
 * train it `steps` optimizer steps on seeded batches (the same batches for every model), stream the
 * losses, evaluate on fixed validation windows, and sample text (streamed as the `samples/<label>`
 * artifact, kept in summary.models[i].samples). A NaN / Inf stops the run naming
 * the step and parameter (status failed; the series and finished models are kept).
 */
import { Batcher, type CharVocab, evalBatches, loadTextDataset } from '../data/text';
import { median } from '../gpu/stats';
import { generate } from '../nn/generate';
import { evaluate, Trainer, TrainingDivergedError } from '../nn/train';
import { Transformer } from '../nn/transformer';
import { defineExperiment, InputError, type KindContext, type KindEvent, throwIfAborted } from './envelope';
import {
  linearCount,
  linearShapes,
  type PretrainConfig,
  type PretrainSummary,
  pretrainSchema,
  resolveModels,
} from './pretrain.schema';

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
    const samples: Array<{ step: number; text: string }> = [];
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
        if (times.length > 0 && ((s + 1) % 5 === 0 || s === c.steps - 1)) {
          const recent = times.slice(-5);
          const ms = recent.reduce((a, b) => a + b, 0) / recent.length;
          yield {
            type: 'metric',
            series: `tokensPerSecond/${m.label}`,
            step: s + 1,
            value: (c.batch * T * 1000) / ms,
          };
        }
        const last = s === c.steps - 1;
        if ((s + 1) % c.evalEvery === 0 || last) {
          valLoss = await evaluate(model, evalSet);
          yield { type: 'metric', series: `valLoss/${m.label}`, step: s + 1, value: valLoss };
        }
        if (c.sampleEvery > 0 && ((s + 1) % c.sampleEvery === 0 || last)) {
          const sample = await sampleText(model, data.vocab, c, s + 1);
          samples.push({ step: s + 1, text: sample });
          // the whole list so far, so the view shows every sample taken while it trains
          yield {
            type: 'artifact',
            name: `samples/${m.label}`,
            data: {
              type: 'text',
              label: `text samples of ${m.label} (temperature ${c.temperature}, seed ${c.seed} + step)`,
              entries: [...samples],
            },
          };
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
        ...(samples.length ? { samples, sample: samples[samples.length - 1].text } : {}),
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

export const pretrain = defineExperiment({ ...pretrainSchema, run });
