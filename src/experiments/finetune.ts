/**
 * Kind `finetune` — run(): build the base (the teacher–student task's W₀, the shipped weights
 * public/models/<base.model> loaded by src/nn/shipped.ts, or a tiny transformer pretrained in the run), then for each method (and each lr of `lrSweep`) build the
 * adapters from the same base (timed: initMs), train `steps` optimizer steps on the same seeded batches,
 * stream `loss/<label>` and `valLoss/<label>`, and export PEFT files (DIR/<label>/ with
 * `--artifacts DIR`). A NaN / Inf stops the run naming the method and step; finished methods are kept.
 */
import { lowRankRegressionTask } from '../data/regression';
import {
  Batcher,
  CharVocab,
  CorpusError,
  evalBatches,
  loadCorpus,
  splitCorpus,
  type TokenBatch,
} from '../data/text';
import type { Adapter, AdapterSpec } from '../nn/adapters/adapter';
import { createAdapter } from '../nn/adapters/index';
import { exportAdapter } from '../nn/adapters/peft';
import { baseGradient, mse } from '../nn/adapters/regression';
import {
  type AdaptedLayer,
  adapterParameters,
  applyAdapters,
  removeAdapters,
  targetLinears,
} from '../nn/adapters/targets';
import { crossEntropy } from '../nn/loss';
import { Optimizer } from '../nn/optim/optimizer';
import type { OptimizerSpec } from '../nn/optim/schema';
import { loadShippedModel } from '../nn/shipped';
import { stateDict } from '../nn/state-dict';
import { evaluate, fixedLrStep, Trainer } from '../nn/train';
import { Transformer } from '../nn/transformer';
import { noGrad } from '../tensor/autograd';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { defineExperiment, InputError, type KindContext, type KindEvent, throwIfAborted } from './envelope';
import {
  type FinetuneConfig,
  type FinetuneMethod,
  type FinetuneSummary,
  finetuneSchema,
  methodLabels,
} from './finetune.schema';

/** One fine-tuning setup: how to build adapters on the base, a train step, and the validation loss. */
interface Task {
  name: string;
  base: string;
  /** Build the method's adapters on a fresh copy of the base. */
  attach(spec: AdapterSpec, m: FinetuneMethod, lr: number): Promise<AdaptedLayer[]>;
  /** Training loss of step s (forward + backward; the caller updates). */
  lossStep(s: number): Tensor;
  valLoss(): Promise<number>;
  /** Validation loss of the base itself (no adapter). */
  baseValLoss: number;
  detach(layers: AdaptedLayer[]): void;
  taskType: string | null;
  dispose(): void;
}

function withOpt(o: OptimizerSpec, lr: number): OptimizerSpec {
  return o.name === 'muon' || o.name === 'auon' ? { ...o, lr, adamLr: lr } : { ...o, lr };
}

function specOf(m: FinetuneMethod): AdapterSpec {
  return {
    adapter: m.adapter,
    rank: m.rank,
    alpha: m.alpha,
    rslora: m.rslora,
    svd: m.svd,
    niter: m.niter,
    variant: m.variant,
  };
}

async function teacherStudent(c: FinetuneConfig, ctx: KindContext): Promise<Task> {
  const b = c.base as Extract<FinetuneConfig['base'], { type: 'teacher-student' }>;
  const t = lowRankRegressionTask({
    rows: b.rows,
    cols: b.cols,
    rank: b.rank,
    samples: b.samples,
    deltaNorm: b.deltaNorm,
    noise: b.noise,
    seed: c.seed,
  });
  const nVal = Math.max(1, Math.floor(b.samples * c.valFraction));
  const nTrain = b.samples - nVal;
  const { gpu } = ctx;
  const xv = Tensor.fromArray(gpu, t.x.subarray(nTrain * b.cols), [nVal, b.cols]).keep();
  const yv = Tensor.fromArray(gpu, t.y.subarray(nTrain * b.rows), [nVal, b.rows]).keep();
  const batch = Math.min(c.batch, nTrain);
  // The same seeded rows for every method: step s uses rows order[s·batch …] (wrapping).
  const rng = new Rng(c.seed + 1);
  const rows = (s: number) => Array.from({ length: batch }, (_, i) => (s * batch + i) % nTrain);
  const perm = Array.from({ length: nTrain }, (_, i) => i);
  for (let i = nTrain - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const gather = (src: Float64Array, width: number, idx: number[]) => {
    const out = new Float32Array(idx.length * width);
    idx.forEach((r, k) => {
      out.set(src.subarray(perm[r] * width, perm[r] * width + width), k * width);
    });
    return out;
  };
  let current: Adapter | null = null;
  let baseVal = 0;
  for (let n = nTrain; n < b.samples; n++)
    for (let i = 0; i < b.rows; i++) {
      let acc = 0;
      for (let j = 0; j < b.cols; j++) acc += t.x[n * b.cols + j] * t.base[i * b.cols + j];
      baseVal += (acc - t.y[n * b.rows + i]) ** 2;
    }
  baseVal /= nVal * b.rows;
  const baseLinear = { out: b.rows, in: b.cols, weight: t.base };
  return {
    name: 'teacher-student',
    base: `teacher–student regression: W₀ ${b.rows}×${b.cols}, teacher W₀ + rank-${b.rank} ΔW (‖ΔW‖/‖W₀‖ = ${b.deltaNorm}), ${b.samples} samples (seed ${c.seed})`,
    taskType: null,
    baseValLoss: baseVal,
    async attach(spec, m, lr) {
      const grad =
        m.adapter === 'lora-sb'
          ? baseGradient(baseLinear, t.x, t.y, Math.min(nTrain, m.sbBatches * batch), m.sbBatches)
          : undefined;
      current = await createAdapter(gpu, baseLinear, spec, { rng: new Rng(c.seed + 2), grad, lr });
      return [{ path: 'linear', linear: null as never, adapter: current }];
    },
    lossStep(s) {
      const idx = rows(s);
      const x = Tensor.fromArray(gpu, gather(t.x, b.cols, idx), [batch, b.cols]);
      const y = Tensor.fromArray(gpu, gather(t.y, b.rows, idx), [batch, b.rows]);
      return mse((current as Adapter).forward(x), y);
    },
    async valLoss() {
      const l = tidy(() => noGrad(() => mse((current as Adapter).forward(xv), yv)));
      const v = await l.item();
      l.dispose();
      return v;
    },
    detach(layers) {
      for (const l of layers) l.adapter.dispose();
      current = null;
    },
    dispose() {
      xv.dispose();
      yv.dispose();
    },
  };
}

/** The language-model base: the shipped weights, or a tiny transformer pretrained in the run. */
async function languageModel(
  c: FinetuneConfig,
  ctx: KindContext,
  events: KindEvent[],
): Promise<{ model: Transformer; vocab: CharVocab; about: string }> {
  if (c.base.type === 'shipped') {
    const s = await loadShippedModel(ctx.gpu, c.base.model);
    const m = s.meta;
    return {
      model: s.model,
      vocab: s.vocab,
      about: `the shipped ${s.name} (public/models/${s.name}.safetensors: a tiny transformer pretrained on ${m.corpus} for ${m.steps} steps, validation loss ${m.finalValLoss.toFixed(3)}; \`${m.command}\`)`,
    };
  }
  const b = c.base as Extract<FinetuneConfig['base'], { type: 'pretrain' }>;
  const [src, dst] = await Promise.all([loadCorpus(b.corpus), loadCorpus(c.corpus)]);
  const vocab = CharVocab.fromText(src + dst);
  const pre = splitCorpus(vocab, b.corpus, src, c.valFraction);
  const model = new Transformer(ctx.gpu, { vocab: vocab.size, spec: b.model, seed: c.seed });
  const trainer = new Trainer(model, {
    optimizer: { name: 'adamw', lr: b.lr, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 },
    schedule: { warmup: 10, decay: 'cosine', minRatio: 0.1 },
    steps: b.steps,
    clip: 1,
  });
  const pb = new Batcher(pre.train, c.batch, b.model.context, c.seed + 3);
  try {
    for (let s = 0; s < b.steps; s++) {
      throwIfAborted(ctx.signal);
      const st = await trainer.step(pb.next());
      events.push({ type: 'metric', series: 'pretrainLoss', step: s + 1, value: st.loss });
    }
  } finally {
    trainer.dispose();
  }
  return {
    model,
    vocab,
    about: `tiny transformer (${b.model.layers} layers, d=${b.model.dModel}) pretrained IN THIS RUN on ${b.corpus} for ${b.steps} steps`,
  };
}

async function pretrained(c: FinetuneConfig, ctx: KindContext): Promise<{ task: Task; events: KindEvent[] }> {
  const events: KindEvent[] = [];
  const { model, vocab, about } = await languageModel(c, ctx, events);
  let fine: { train: Uint32Array; val: Uint32Array };
  try {
    fine = splitCorpus(vocab, c.corpus, await loadCorpus(c.corpus), c.valFraction);
  } catch (e) {
    model.dispose();
    if (e instanceof CorpusError) throw new InputError(`${e.message} of the base model`, 'corpus');
    throw e;
  }
  const T = model.spec.context;
  const evalSet = evalBatches(fine.val, c.batch, T, 16);
  const snapshot = await stateDict(model);
  const baseValLoss = await evaluate(model, evalSet);
  // the base is frozen from here on: only adapter parameters get gradients
  for (const p of model.namedParameters()) p.tensor.requiresGrad = false;
  let batcher: Batcher;
  let batches: TokenBatch[] = [];
  const from = c.base.type === 'shipped' ? c.base.model : c.base.type === 'pretrain' ? c.base.corpus : '';
  return {
    events,
    task: {
      name: `${from} → ${c.corpus}`,
      base: about,
      taskType: 'CAUSAL_LM',
      baseValLoss,
      async attach(spec, m, lr) {
        // back to the pretrained weights, the same fine-tune batches for every method
        for (const p of model.namedParameters()) p.tensor.write(snapshot[p.name].data);
        batcher = new Batcher(fine.train, c.batch, T, c.seed + 4);
        batches = [];
        let grads: Record<string, Float64Array> | undefined;
        if (m.adapter === 'lora-sb') {
          const targets = targetLinears(model, c.targets);
          for (const t of targets) (t.linear.weight as Tensor).requiresGrad = true;
          for (let i = 0; i < m.sbBatches; i++) {
            const bt = batcher.next();
            tidy(() => crossEntropy(model.forward(bt.x, bt.batch, bt.context), bt.y).backward());
          }
          grads = {};
          for (const t of targets)
            grads[t.path] = Float64Array.from((await (t.linear.weight as Tensor).grad?.read()) ?? []);
          for (const p of model.namedParameters()) {
            p.tensor.grad?.dispose();
            p.tensor.grad = null;
            p.tensor.requiresGrad = false;
          }
          batcher = new Batcher(fine.train, c.batch, T, c.seed + 4);
        }
        return applyAdapters(model, spec, c.targets, { rng: new Rng(c.seed + 2), lr }, grads);
      },
      lossStep(s) {
        const bt = batches[s] ?? batcher.next();
        batches[s] = bt;
        return crossEntropy(model.forward(bt.x, bt.batch, bt.context), bt.y);
      },
      valLoss: () => evaluate(model, evalSet),
      detach: removeAdapters,
      dispose: () => model.dispose(),
    },
  };
}

async function* run(c: FinetuneConfig, ctx: KindContext): AsyncGenerator<KindEvent, FinetuneSummary> {
  let task: Task;
  if (c.base.type === 'teacher-student') task = await teacherStudent(c, ctx);
  else {
    const p = await pretrained(c, ctx);
    task = p.task;
    for (const e of p.events) yield e;
  }
  const labels = methodLabels(c);
  const summary: FinetuneSummary = {
    task: task.name,
    base: task.base,
    baseValLoss: task.baseValLoss,
    methods: [],
  };
  try {
    for (const [mi, m] of c.methods.entries()) {
      const label = labels[mi];
      const lrs = c.lrSweep ?? [m.lr ?? c.lr ?? c.optimizer.lr];
      let best: {
        lr: number;
        loss: number[];
        val: Array<[number, number]>;
        res: FinetuneSummary['methods'][number];
      } | null = null;
      for (const lr of lrs) {
        const series = c.lrSweep ? `${label}@lr=${lr}` : label;
        const t0 = performance.now();
        const layers = await task.attach(specOf(m), m, lr);
        const initMs = performance.now() - t0;
        const params =
          c.base.type === 'teacher-student' ? layers[0].adapter.namedParameters() : adapterParameters(layers);
        const trainable = params.reduce((a, p) => a + p.tensor.size, 0);
        const opt = new Optimizer(params, withOpt(c.optimizer, lr), () => false);
        const loss: number[] = [];
        const val: Array<[number, number]> = [];
        try {
          // known before the first step: the UI shows it beside the method while it trains
          yield { type: 'metric', series: `trainableParams/${series}`, step: 0, value: trainable };
          for (let s = 0; s < c.steps; s++) {
            throwIfAborted(ctx.signal);
            const v = await fixedLrStep(
              opt,
              () => task.lossStep(s),
              () => `${label}: training diverged at step ${s} (lr ${lr}): the loss is not finite`,
            );
            loss.push(v);
            yield { type: 'metric', series: `loss/${series}`, step: s + 1, value: v };
            if ((s + 1) % c.evalEvery === 0 || s === c.steps - 1) {
              const vl = await task.valLoss();
              val.push([s + 1, vl]);
              yield { type: 'metric', series: `valLoss/${series}`, step: s + 1, value: vl };
            }
            if ((s + 1) % 10 === 0)
              yield {
                type: 'progress',
                fraction: (mi + (s + 1) / c.steps) / c.methods.length,
                message: `${series}: step ${s + 1} of ${c.steps}, loss ${v.toPrecision(4)}`,
              };
          }
          const res = {
            label,
            adapter: m.adapter,
            rank: m.rank,
            trainableParams: trainable,
            initMs,
            step0Loss: loss[0],
            finalLoss: loss[loss.length - 1],
            finalValLoss: val[val.length - 1][1],
            lr,
          };
          if (!best || res.finalValLoss < best.res.finalValLoss || !Number.isFinite(best.res.finalValLoss)) {
            best = { lr, loss, val, res };
            if (ctx.saveFile) {
              const files = await exportAdapter(
                layers.map((l) => ({ path: l.path, adapter: l.adapter })),
                { baseModelName: task.base, taskType: task.taskType },
              );
              for (const [name, data] of Object.entries(files)) ctx.saveFile(`${label}/${name}`, data);
            }
          }
        } finally {
          opt.dispose();
          task.detach(layers);
        }
      }
      if (!best) continue;
      if (c.lrSweep) {
        yield {
          type: 'metric',
          series: `trainableParams/${label}`,
          step: 0,
          value: best.res.trainableParams,
        };
        for (const [s, v] of best.loss.entries())
          yield { type: 'metric', series: `loss/${label}`, step: s + 1, value: v };
        for (const [s, v] of best.val)
          yield { type: 'metric', series: `valLoss/${label}`, step: s, value: v };
      }
      summary.methods.push(c.lrSweep ? { ...best.res, bestLr: best.lr } : best.res);
      ctx.setSummary(summary);
    }
  } finally {
    task.dispose();
  }
  return summary;
}

export const finetune = defineExperiment({ ...finetuneSchema, run });
