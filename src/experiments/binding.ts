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
  objectDepth,
  perturbRecord,
  stringLeaves,
} from '../sketch/binding';
import sample from '../sketch/binding-sample.json';
import { isPowerOfTwo } from '../sketch/fwht';
import { Rng } from '../tensor/rng';
import {
  BindingConfig,
  type BindingSummary,
  BindingSummary as BindingSummarySchema,
  MAX_BINDING_LEVELS,
} from './binding.schema';
import { defineExperiment, InputError, type KindEvent, throwIfAborted } from './envelope';

export { BindingConfig, BindingSummary } from './binding.schema';

export const BINDING_SAMPLE: readonly unknown[] = sample;

function wrap(record: unknown, depth: number): unknown {
  let r = record;
  for (let i = 0; i < depth; i++) r = { record: r };
  return r;
}

export const binding = defineExperiment({
  kind: 'binding',
  title: 'MBAT binding of JSON records: orthogonal vs Gaussian matrices (norms with depth, retrieval)',
  config: BindingConfig,
  summary: BindingSummarySchema,
  timingFields: [],
  timingSeries: [],
  check(config) {
    if (config.bindings.includes('hadamard') && !isPowerOfTwo(config.dim))
      throw new InputError(`the hadamard binding needs dim a power of two, got ${config.dim}`, 'dim');
    const seen = new Set<string>();
    config.bindings.forEach((b, i) => {
      if (seen.has(b)) throw new InputError(`${b} appears twice`, `bindings[${i}]`);
      seen.add(b);
    });
    const records = config.records ?? BINDING_SAMPLE;
    const depth = records.reduce((m: number, r) => Math.max(m, objectDepth(r)), 0);
    const wrapMax = Math.max(...config.wrapDepths);
    if (depth + wrapMax > MAX_BINDING_LEVELS)
      throw new InputError(
        `records nest ${depth} objects deep; with wrapDepths up to ${wrapMax} that is over ${MAX_BINDING_LEVELS} levels`,
        config.records ? 'records' : 'wrapDepths',
      );
  },
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
