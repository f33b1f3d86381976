/**
 * Kind `binding` (MBAT): encode JSON records as fixed-length vectors by binding with random
 * matrices (src/sketch/binding.ts), orthogonal vs Hadamard-based orthogonal vs Gaussian. Reports
 * norm growth with nesting depth (series norm/<binding>, normMin/…, normMax/… over depth) and
 * nearest-neighbour retrieval of perturbed records (series accuracy/<binding> over wrap depth).
 */
import {
  Atoms,
  type Binder,
  encodeRecords,
  makeBinders,
  nearestByCosine,
  normChain,
  perturbRecord,
  stringLeaves,
} from '../sketch/binding';
import { Rng } from '../tensor/rng';
import { BINDING_SAMPLE, type BindingSummary, bindingSchema, objectDepth } from './binding.schema';
import { defineExperiment, type KindEvent, throwIfAborted } from './envelope';

export { BindingConfig, BindingSummary } from './binding.schema';

export { BINDING_SAMPLE };

function wrap(record: unknown, depth: number): unknown {
  let r = record;
  for (let i = 0; i < depth; i++) r = { record: r };
  return r;
}

export const binding = defineExperiment({
  ...bindingSchema,
  async *run(config, ctx): AsyncGenerator<KindEvent, BindingSummary> {
    const rng = new Rng(config.seed);
    const records = config.records ?? BINDING_SAMPLE;
    const D = config.dim;
    const recordDepth = records.reduce((m: number, r) => Math.max(m, objectDepth(r)), 0);
    const levels = Math.max(config.maxDepth, recordDepth + Math.max(...config.wrapDepths));
    const atoms = new Atoms(D, config.seed);
    const pool = stringLeaves(records);
    const pRng = rng.fork();
    const perturbed = records.map((r) =>
      perturbRecord(r, config.perturbLeaves, config.numberNoise, pool, pRng),
    );
    const chainRng = rng.fork();
    const summary: BindingSummary = {
      dim: D,
      records: records.length,
      recordDepth,
      source: config.records ? 'config records' : 'bundled sample',
      bindings: [],
    };
    ctx.setSummary(summary);
    const total = config.bindings.length * (1 + config.wrapDepths.length);
    let done = 0;
    for (const type of config.bindings) {
      throwIfAborted(ctx.signal);
      yield {
        type: 'progress',
        fraction: done / total,
        message: `${type}: drawing ${levels} binding matrices`,
      };
      const binders: Binder[] = makeBinders(ctx.gpu, type, D, levels, rng.fork());
      try {
        const chain = await normChain(
          ctx.gpu,
          binders.slice(0, config.maxDepth),
          config.trials,
          chainRng.fork(),
        );
        for (let l = 0; l < chain.length; l++) {
          yield { type: 'metric', series: `norm/${type}`, step: l, value: chain[l].mean };
          yield { type: 'metric', series: `normMin/${type}`, step: l, value: chain[l].min };
          yield { type: 'metric', series: `normMax/${type}`, step: l, value: chain[l].max };
        }
        done++;
        const byDepth: BindingSummary['bindings'][number]['byDepth'] = [];
        for (const w of config.wrapDepths) {
          throwIfAborted(ctx.signal);
          yield {
            type: 'progress',
            fraction: done / total,
            message: `${type}: retrieval at wrap depth ${w}`,
          };
          const keys = await encodeRecords(
            records.map((r) => wrap(r, w)),
            binders,
            atoms,
          );
          const queries = await encodeRecords(
            perturbed.map((r) => wrap(r, w)),
            binders,
            atoms,
          );
          const { nearest, selfCosine } = await nearestByCosine(ctx.gpu, keys, queries, D);
          const accuracy = nearest.filter((j, i) => j === i).length / records.length;
          byDepth.push({
            depth: w,
            accuracy,
            meanSelfCosine: selfCosine.reduce((a, b) => a + b, 0) / selfCosine.length,
          });
          yield { type: 'metric', series: `accuracy/${type}`, step: w, value: accuracy };
          done++;
        }
        const last = chain[chain.length - 1];
        let dev = 0;
        for (const c of chain) dev = Math.max(dev, Math.abs(c.max - 1), Math.abs(c.min - 1));
        summary.bindings.push({
          binding: type,
          accuracy: byDepth[0].accuracy,
          byDepth,
          normMean: last.mean,
          normMin: last.min,
          normMax: last.max,
          maxNormDeviation: dev,
        });
      } finally {
        for (const b of binders) b.dispose();
      }
    }
    yield { type: 'progress', fraction: 1, message: 'done' };
    return summary;
  },
});
