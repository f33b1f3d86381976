/**
 * One training step (forward, cross-entropy, backward, Adam update) of the default tiny char
 * transformer (src/nn/transformer.schema.ts defaults: 2 layers, d 32, 2 heads, context 16,
 * tied head, no biases) and of the same model at d 64, ours vs TensorFlow.js WebGPU training the same architecture from the same
 * initial weights on the same batch, on the same GPUDevice, alternating. Adam without weight decay
 * on both sides (TF.js has no AdamW). Before timing, both sides' loss at the initial weights is
 * checked against the f64 reference forward (src/reference/transformer.ts).
 *
 * "Where the time goes": the same case also times our forward + loss only, and forward + loss +
 * backward without the update; the note of each of ours gives its dispatches per step, in all
 * and per kernel family (WGSL file).
 * Structured Linears: one step of the same model with every block Linear in a structured family at
 * ~25% of the dense Linear parameters (pretrain's budget matching), against our dense step.
 */

import { type BenchSpec, registerBench } from '../src/bench/registry';
import { Batcher, loadTextDataset } from '../src/data/text';
import { budgetSpec } from '../src/experiments/pretrain.schema';
import type { Gpu } from '../src/gpu/device';
import type { WeightSpec } from '../src/nn/linear';
import { crossEntropy } from '../src/nn/loss';
import { OptimizerSpec, ScheduleSpec } from '../src/nn/optim/schema';
import { denseStateDict, stateDict } from '../src/nn/state-dict';
import { Trainer } from '../src/nn/train';
import { Transformer } from '../src/nn/transformer';
import { TransformerSpec } from '../src/nn/transformer.schema';
import { transformerLossRef } from '../src/reference/transformer';
import { noGrad } from '../src/tensor/autograd';
import { tidy } from '../src/tensor/tensor';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { tf, tfSubmit } from './tf';
import '../src/structured';

/** The default model, and the same model twice as wide (the default size is chosen on this pair). */
const DEFAULT = TransformerSpec.parse({});
const WIDE = TransformerSpec.parse({ dModel: 64 });
const BATCH = 8;
const T = DEFAULT.context;
const shapeOf = (SPEC: TransformerSpec) => `L${SPEC.layers} d${SPEC.dModel} h${SPEC.heads} T${T} B${BATCH}`;
const OPT = OptimizerSpec.parse({
  name: 'adamw',
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  weightDecay: 0,
});
const SCHED = ScheduleSpec.parse({ decay: 'constant' });
/** Estimated flops of one forward: 2·tokens·(dense-equivalent weight numbers) + attention's 4·B·T²·d per layer. */
const FWD_FLOPS = (SPEC: TransformerSpec, V: number) => {
  const d = SPEC.dModel;
  const weights = SPEC.layers * 12 * d * d + V * d;
  return 2 * BATCH * T * weights + SPEC.layers * 4 * BATCH * T * T * d;
};
const FLOPS = { forward: 1, 'forward+backward': 3, step: 3 } as const;

async function setupOurs(gpu: Gpu, SPEC: TransformerSpec, linear?: WeightSpec) {
  const data = await loadTextDataset('names');
  const model = new Transformer(gpu, { vocab: data.vocab.size, spec: SPEC, seed: 0, linear });
  const batch = new Batcher(data.train, BATCH, T, 1).next();
  const trainer = new Trainer(model, { optimizer: OPT, schedule: SCHED, steps: 1_000_000, clip: 0 });
  return { model, batch, trainer, vocab: data.vocab.size };
}

/** Loss at the current weights vs the f64 reference forward (relative error; throws above 1e-4). */
async function checkLoss(
  SPEC: TransformerSpec,
  got: number,
  model: Transformer,
  batch: { x: Int32Array; y: Int32Array },
  V: number,
) {
  const sd = await denseStateDict(model);
  const p: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(sd)) p[k] = Float64Array.from(v.data);
  const want = transformerLossRef(p, { vocab: V, ...SPEC }, batch.x, batch.y, BATCH, T);
  const err = Math.abs(got - want) / (1 + Math.abs(want));
  if (!(err < 1e-4)) throw new Error(`loss ${got} differs from the f64 reference ${want}`);
  return err;
}

/** Dispatches of one call of fn, in all and per kernel family (WGSL file). */
function countDispatches(gpu: Gpu, fn: () => void): { total: number; byFamily: string } {
  const by = new Map<string, number>();
  let total = 0;
  const orig = gpu.dispatch;
  gpu.dispatch = ((...a: Parameters<Gpu['dispatch']>) => {
    total++;
    by.set(a[0].name, (by.get(a[0].name) ?? 0) + 1);
    return orig.apply(gpu, a);
  }) as Gpu['dispatch'];
  try {
    fn();
  } finally {
    gpu.dispatch = orig;
  }
  const byFamily = [...by]
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return { total, byFamily };
}

/** Where one call's GPU time goes: each kernel family's share of the summed pass times (timestamps only). */
async function timeByFamily(gpu: Gpu, fn: () => void): Promise<string> {
  const t = await gpu.time(fn, { perPass: true });
  if (!t.perPass?.length) return '';
  const by = new Map<string, number>();
  let sum = 0;
  for (const p of t.perPass) {
    const fam = p.kernel.split(':')[0];
    by.set(fam, (by.get(fam) ?? 0) + p.ms);
    sum += p.ms;
  }
  const shares = [...by]
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${((100 * v) / sum).toFixed(0)}%`)
    .join(', ');
  return `; GPU pass time ${sum.toFixed(2)} ms of a ${t.ms.toFixed(2)} ms span: ${shares}`;
}

type Part = 'step' | 'forward' | 'forward+backward';

function ours(
  SPEC: TransformerSpec,
  part: Part,
  name: string,
  group = 'training',
  linear?: WeightSpec,
  baseline: string | null = 'tfjs',
) {
  const spec: BenchSpec = {
    group,
    name,
    shape: shapeOf(SPEC),
    baseline: baseline ?? undefined,
    versusTf: group === 'training',
    async setup({ gpu }) {
      const { model, batch, trainer, vocab } = await setupOurs(gpu, SPEC, linear);
      spec.flops = FLOPS[part] * FWD_FLOPS(SPEC, vocab);
      const l = tidy(() => noGrad(() => crossEntropy(model.forward(batch.x, BATCH, T), batch.y)));
      const err = await checkLoss(SPEC, await l.item(), model, batch, vocab);
      l.dispose();
      const run =
        part === 'step'
          ? () => trainer.record(batch)
          : part === 'forward'
            ? () => tidy(() => noGrad(() => crossEntropy(model.forward(batch.x, BATCH, T), batch.y)))
            : () => {
                tidy(() => crossEntropy(model.forward(batch.x, BATCH, T), batch.y).backward());
                trainer.opt.zeroGrad();
              };
      const n = countDispatches(gpu, run);
      spec.note = `${n.total} dispatches/step (${n.byFamily})${await timeByFamily(gpu, run)}`;
      await gpu.sync();
      return {
        run,
        check: async () => err,
        dispose: () => {
          trainer.dispose();
          model.dispose();
        },
      };
    },
  };
  registerBench(spec);
}

function tfjs(SPEC: TransformerSpec) {
  const tfSpec: BenchSpec = {
    group: 'training',
    name: 'tfjs',
    shape: shapeOf(SPEC),
    async setup({ gpu }) {
      const { model, batch, trainer, vocab } = await setupOurs(gpu, SPEC);
      tfSpec.flops = 3 * FWD_FLOPS(SPEC, vocab);
      const sd = await stateDict(model);
      trainer.dispose();
      model.dispose();
      const v = (name: string) => {
        const s = sd[name];
        return tf.variable(tf.tensor(s.data, s.shape as number[]), true, name.replace(/\./g, '_'));
      };
      const vars: Record<string, tf.Variable> = {};
      for (const k of Object.keys(sd)) vars[k] = v(k);
      const d = SPEC.dModel;
      const h = SPEC.heads;
      const dh = d / h;
      const N = BATCH * T;
      const ids = tf.tensor1d(batch.x, 'int32');
      const pos = tf.tensor1d(
        Int32Array.from({ length: N }, (_, i) => i % T),
        'int32',
      );
      const labels = tf.oneHot(tf.tensor1d(batch.y, 'int32'), vocab);
      const maskArr = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) maskArr[i * T + j] = -1e9;
      const mask = tf.tensor2d(maskArr, [T, T]);
      const ln = (x: tf.Tensor, p: string) => {
        const { mean, variance } = tf.moments(x, -1, true);
        return tf.add(
          tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), vars[`${p}.weight`]),
          vars[`${p}.bias`],
        );
      };
      const gelu = (x: tf.Tensor) =>
        tf.mul(
          tf.mul(x, 0.5),
          tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))),
        );
      const heads = (x: tf.Tensor) =>
        tf.reshape(tf.transpose(tf.reshape(x, [BATCH, T, h, dh]), [0, 2, 1, 3]), [BATCH * h, T, dh]);
      const lossFn = (): tf.Scalar => {
        let x: tf.Tensor = tf.add(
          tf.gather(vars['tok_emb.weight'], ids),
          tf.gather(vars['pos_emb.weight'], pos),
        );
        for (let l = 0; l < SPEC.layers; l++) {
          const p = `blocks.${l}`;
          const a = ln(x, `${p}.ln_1`);
          const q = heads(tf.matMul(a, vars[`${p}.attn.q_proj.weight`], false, true));
          const k = heads(tf.matMul(a, vars[`${p}.attn.k_proj.weight`], false, true));
          const vv = heads(tf.matMul(a, vars[`${p}.attn.v_proj.weight`], false, true));
          const s = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), mask));
          const y = tf.reshape(tf.transpose(tf.reshape(tf.matMul(s, vv), [BATCH, h, T, dh]), [0, 2, 1, 3]), [
            N,
            d,
          ]);
          x = tf.add(x, tf.matMul(y, vars[`${p}.attn.o_proj.weight`], false, true));
          const b = ln(x, `${p}.ln_2`);
          const f = gelu(tf.matMul(b, vars[`${p}.mlp.fc.weight`], false, true));
          x = tf.add(x, tf.matMul(f, vars[`${p}.mlp.proj.weight`], false, true));
        }
        const logits = tf.matMul(ln(x, 'ln_f'), vars['tok_emb.weight'], false, true);
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      };
      const l0 = tf.tidy(lossFn);
      const got = (await l0.data())[0];
      l0.dispose();
      // Same initial weights as ours: check its loss against the same f64 reference.
      const p: Record<string, Float64Array> = {};
      for (const [k, s] of Object.entries(sd)) p[k] = Float64Array.from(s.data);
      const want = transformerLossRef(p, { vocab, ...SPEC }, batch.x, batch.y, BATCH, T);
      const err = Math.abs(got - want) / (1 + Math.abs(want));
      if (!(err < 1e-4)) throw new Error(`TF.js loss ${got} differs from the f64 reference ${want}`);
      const opt = tf.train.adam(OPT.lr, 0.9, 0.95, 1e-8);
      const run = () => {
        tf.tidy(() => {
          opt.minimize(lossFn, false);
        });
      };
      void gpu;
      return {
        run,
        submit: tfSubmit,
        check: async () => err,
        dispose: () => {
          opt.dispose();
          for (const t of [...Object.values(vars), ids, pos, labels, mask]) t.dispose();
        },
      };
    },
  };
  registerBench(tfSpec);
}

for (const SPEC of [DEFAULT, WIDE]) {
  ours(SPEC, 'step', 'ours');
  ours(SPEC, 'forward', 'ours (forward + loss only)');
  ours(SPEC, 'forward+backward', 'ours (forward + loss + backward, no update)');
  tfjs(SPEC);
}

// Structured Linears at ~25% of the dense Linear parameters: one training step each vs our dense step.
ours(DEFAULT, 'step', 'dense', 'training-structured', undefined, null);
for (const family of ['lowrank', 'monarch', 'blockdiag', 'sparse+lowrank', 'kronecker']) {
  const spec = budgetSpec(family, DEFAULT, 0.25);
  ours(
    DEFAULT,
    'step',
    `${family} ${JSON.stringify(spec).replace(/"/g, '')}`,
    'training-structured',
    spec,
    'dense',
  );
}
