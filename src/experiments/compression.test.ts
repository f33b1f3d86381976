import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { Batcher, evalBatches, loadCorpus, splitCorpus } from '../data/text';
import { loadShippedModel, type ShippedBase } from '../nn/shipped';
import { SHIPPED_INFO } from '../nn/shipped.schema';
import { stateDict } from '../nn/state-dict';
import { evaluate } from '../nn/train';
import { fwsvd as fwsvdRef, weightedError } from '../reference/lowrank';
import { transformerLossRef } from '../reference/transformer';
import { runToResult } from '../runtime/runner';
import { familyOf } from '../structured/registry';
import type { FamilySpec } from '../structured/specs';
import { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { compressTargets, fisherImportance, readTargets, restoreTargets, type Target } from './compression';
import type { CompressionSummary } from './compression.schema';
import { parseConfig } from './schema';

const SMALL = {
  schema: 'smx/experiment@1',
  kind: 'compression',
  seed: 4,
  methods: [
    { method: 'svd' },
    { method: 'fwsvd' },
    { method: 'monarch' },
    { method: 'blockdiag' },
    { method: 'sparse' },
    { method: 'sparse-lowrank' },
  ],
  budgets: [0.25, 1],
  targets: ['q_proj', 'fc'],
  fisherBatches: 2,
  evalBatches: 1,
  recovery: { steps: 2, lr: 0.001 },
};

async function load(): Promise<{
  base: ShippedBase;
  targets: Target[];
  val: number;
  evalSet: ReturnType<typeof evalBatches>;
  train: Uint32Array;
}> {
  const gpu = await getGpu();
  const base = await loadShippedModel(gpu, 'names-tiny');
  for (const p of base.model.namedParameters()) p.tensor.requiresGrad = false;
  const split = splitCorpus(base.vocab, 'names', await loadCorpus('names'), 0.1);
  // the recipe's validation windows (names-tiny.json: batch 8, evalWindows 32)
  const evalSet = evalBatches(split.val, 8, 16, 32);
  const targets = await readTargets(base.model, 'all');
  return { base, targets, val: await evaluate(base.model, evalSet), evalSet, train: split.train };
}

let shared: ReturnType<typeof load> | null = null;
/** One loaded base for the tests below (each puts the dense weights back). */
const setup = () => {
  shared ??= load();
  return shared;
};

/** The seeded paths (randomized SVD, sparse + low rank's rounds, recovery batches), for the rerun. */
const DET = {
  ...SMALL,
  methods: [{ method: 'svd' }, { method: 'fwsvd' }, { method: 'sparse-lowrank' }],
  budgets: [0.5],
  evalSplit: 'train',
};

describe('compression', () => {
  it('the shipped model table (src/nn/shipped.schema.ts) agrees with public/models/names-tiny.json', async () => {
    const meta = (await import('../../public/models/names-tiny.json')).default;
    const info = SHIPPED_INFO['names-tiny'];
    const a = meta.architecture;
    expect([a.layers, a.dModel, a.heads, a.context, a.mlp, a.attention, a.tiedHead, a.norm, a.bias]).toEqual([
      info.spec.layers,
      info.spec.dModel,
      info.spec.heads,
      info.spec.context,
      info.spec.mlp,
      info.spec.attention,
      info.spec.tiedHead,
      info.spec.norm,
      info.spec.bias,
    ]);
    expect([meta.corpus, meta.valFraction, meta.batch, meta.evalWindows]).toEqual([
      info.corpus,
      info.valFraction,
      info.batch,
      info.evalWindows,
    ]);
    const { val } = await setup();
    expect(Math.abs(val - meta.finalValLoss)).toBeLessThan(1e-4);
  });

  it('full-rank SVD of every Linear reproduces the base validation loss (f32 rounding); the dense weights come back', async () => {
    const { base, targets, val, evalSet } = await setup();
    const specs = targets.map((t) => ({
      family: 'lowrank' as const,
      rank: Math.min(t.out, t.in),
      method: 'exact' as const,
      oversample: 0,
      niter: 0,
    }));
    const { matrices, errSq, normSq } = await compressTargets(targets, specs, new Rng(1));
    expect(Math.sqrt(errSq / normSq)).toBeLessThan(1e-5);
    const full = await evaluate(base.model, evalSet);
    expect(Math.abs(full - val)).toBeLessThan(2e-5);
    // rank 1 changes it (the comparison above can fail)
    restoreTargets(targets, matrices);
    const r1 = await compressTargets(
      targets,
      specs.map((s) => ({ ...s, rank: 1 })),
      new Rng(1),
    );
    expect(Math.abs((await evaluate(base.model, evalSet)) - val)).toBeGreaterThan(1e-2);
    restoreTargets(targets, r1.matrices);
    expect(await evaluate(base.model, evalSet)).toBe(val);
  });

  it('Fisher importance equals Σ_i mean_batches (∂L/∂W_ij)² from f64 finite differences of the reference model', async () => {
    const { base, targets, train } = await setup();
    const batcher = new Batcher(train, 1, 16, 7);
    const batches = [batcher.next(), batcher.next()];
    const t = targets.find((x) => x.path === 'blocks.1.attn.v_proj') as Target;
    const imp = (await fisherImportance(base.model, [t], batches)).get(t.path) as Float64Array;
    const sd = await stateDict(base.model);
    const p: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(sd)) p[k] = Float64Array.from(v.data);
    const rs = { vocab: base.vocab.size, ...base.info.spec };
    const W = p[`${t.path}.weight`];
    const h = 1e-5;
    let scale = 0;
    for (const v of imp) scale = Math.max(scale, v);
    for (const j of [0, 31]) {
      let want = 0;
      for (const b of batches)
        for (let i = 0; i < t.out; i++) {
          const k = i * t.in + j;
          const w0 = W[k];
          W[k] = w0 + h;
          const up = transformerLossRef(p, rs, b.x, b.y, 1, 16);
          W[k] = w0 - h;
          const dn = transformerLossRef(p, rs, b.x, b.y, 1, 16);
          W[k] = w0;
          want += ((up - dn) / (2 * h)) ** 2 / batches.length;
        }
      expect(Math.abs(imp[j] - want), `column ${j}`).toBeLessThan(1e-2 * scale);
    }
    // gradients are dropped and the weights frozen again
    expect(t.linear.weight?.grad).toBeNull();
    expect(t.linear.weight?.requiresGrad).toBe(false);
  });

  it('FWSVD: uniform importance equals SVD; with the Fisher importance its weighted error is ≤ SVD’s and equals the f64 oracle’s', async () => {
    const { base, targets, train } = await setup();
    const gpu = await getGpu();
    const b = new Batcher(train, 8, 16, 3);
    const imp = await fisherImportance(base.model, targets, [b.next(), b.next()]);
    const dense = async (spec: FamilySpec, W: Tensor) => {
      const sm = await familyOf(spec).project(W, spec, { rng: new Rng(0) });
      const D = sm.toDense();
      const d = Float64Array.from(await D.read());
      D.dispose();
      sm.dispose();
      return d;
    };
    for (const t of [targets[0], targets[4], targets[5]]) {
      const W = Tensor.fromArray(gpu, t.weight, [t.out, t.in]);
      const w = Float64Array.from(t.weight);
      const rank = 5;
      const svd = await dense({ family: 'lowrank', rank, method: 'exact', oversample: 0, niter: 0 }, W);
      const uni = await dense({ family: 'fwsvd', rank, importance: new Array(t.in).fill(0.7) }, W);
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < w.length; i++) {
        diff = Math.max(diff, Math.abs(svd[i] - uni[i]));
        norm = Math.max(norm, Math.abs(w[i]));
      }
      expect(diff, `${t.path}: uniform-importance FWSVD vs SVD`).toBeLessThan(1e-4 * norm);
      const I = Array.from(imp.get(t.path) as Float64Array);
      const fw = await dense({ family: 'fwsvd', rank, importance: I }, W);
      const eFw = weightedError(w, fw, t.out, t.in, I);
      const eSvd = weightedError(w, svd, t.out, t.in, I);
      const eRef = weightedError(w, fwsvdRef(w, t.out, t.in, rank, I), t.out, t.in, I);
      expect(eFw, `${t.path}: weighted error FWSVD ≤ SVD`).toBeLessThanOrEqual(eSvd * (1 + 1e-5));
      expect(Math.abs(eFw - eRef) / eRef, `${t.path}: FWSVD vs the f64 oracle`).toBeLessThan(1e-3);
      W.dispose();
    }
  });

  it('a run: every method finite, budgets met or skipped with a reason, budget 1 block-diagonal = the base, same seed → same JSON', async () => {
    const gpu = await getGpu();
    const live = Tensor.liveCount();
    const r = await runToResult(SMALL, { gpu, env: { runtime: 'node' } });
    expect(r.status).toBe('finished');
    const s = r.summary as CompressionSummary;
    expect(s.layers.map((l) => l.path)).toEqual([
      'blocks.0.attn.q_proj',
      'blocks.0.mlp.fc',
      'blocks.1.attn.q_proj',
      'blocks.1.mlp.fc',
    ]);
    expect(s.denseParams).toBe(2 * (32 * 32 + 128 * 32));
    for (const m of s.methods) {
      expect(Number.isFinite(m.valLoss), m.label).toBe(true);
      expect(Number.isFinite(m.valLossRecovered), m.label).toBe(true);
      expect(m.params, `${m.label} at ${m.budget}`).toBeLessThanOrEqual(m.budget * s.denseParams);
      expect(m.relWeightError).toBeGreaterThanOrEqual(0);
    }
    const at = (label: string, budget: number) =>
      s.methods.find((m) => m.label === label && m.budget === budget);
    // block-diagonal with one block is W itself
    const bd1 = at('blockdiag', 1);
    expect(bd1?.relWeightError).toBe(0);
    expect(Math.abs((bd1?.valLoss ?? 0) - s.baseValLoss)).toBeLessThan(2e-5);
    // Monarch cannot meet 25% of a 32 × 32 layer (its smallest member stores 384 numbers)
    expect(s.skipped.find((k) => k.label === 'monarch' && k.budget === 0.25)?.reason).toMatch(
      /blocks\.0\.attn\.q_proj \(32 × 32\).*384 parameters/,
    );
    // SVD and FWSVD at the same budget: the same ranks, so the same parameter count
    for (const b of [0.25, 1]) expect(at('fwsvd', b)?.params).toBe(at('svd', b)?.params);
    expect(s.fwsvdVsSvd.map((x) => x.budget)).toEqual([0.25, 1]);
    for (const x of s.fwsvdVsSvd) expect(x.fwsvdBetter).toBe(x.fwsvdValLoss < x.svdValLoss);
    // SVD's weight error falls as the budget grows; series are per label with step = budget
    const e = r.series['relWeightError/svd'];
    expect(e.map((p) => p.step)).toEqual([0.25, 1]);
    expect(e[1].value).toBeLessThan(e[0].value);
    expect(r.series['valLoss/fwsvd'].length).toBe(2);
    expect(r.artifacts['fisherImportance/blocks.0.mlp.fc']).toBeDefined();
    expect(Tensor.liveCount()).toBe(live);
    const det = () => runToResult(DET, { gpu, env: { runtime: 'node' } });
    const [a, b] = [await det(), await det()];
    const strip = (x: CompressionSummary) => ({
      ...x,
      fisherMs: 0,
      methods: x.methods.map((m) => ({ ...m, compressMs: 0 })),
    });
    expect(a.status).toBe('finished');
    expect((a.summary as CompressionSummary).corpus).toBe('names (training split)');
    expect(strip(b.summary as CompressionSummary)).toEqual(strip(a.summary as CompressionSummary));
    expect(b.series).toEqual(a.series);
    expect(b.artifacts).toEqual(a.artifacts);
  }, 120_000);

  it('bad configs are refused naming the field', () => {
    const bad = (patch: Record<string, unknown>) => {
      try {
        parseConfig({ ...SMALL, ...patch });
      } catch (e) {
        return (e as { path?: string }).path;
      }
      return 'accepted';
    };
    expect(bad({ methods: [{ method: 'tucker' }] })).toBe('methods[0].method');
    expect(bad({ budgets: [0.5, 0] })).toBe('budgets[1]');
    expect(bad({ budgets: [1.5] })).toBe('budgets[0]');
    expect(bad({ budgets: [0.5, 0.5] })).toBe('budgets[1]');
    expect(bad({ targets: ['q_proj', 'w_in'] })).toBe('targets[1]');
    expect(bad({ methods: [{ method: 'svd' }, { method: 'svd' }] })).toBe('methods[1].label');
    expect(bad({ base: 'gpt2' })).toBe('base');
    expect(bad({ recovery: { steps: 0 } })).toBe('recovery.steps');
    expect(bad({ evalSplit: 'test' })).toBe('evalSplit');
    expect(bad({})).toBe('accepted');
  });

  it('a corpus with characters the model does not know is refused naming corpus', async () => {
    const gpu = await getGpu();
    const r = await runToResult(
      { ...SMALL, corpus: 'moby-dick', methods: [{ method: 'svd' }] },
      { gpu, env: { runtime: 'node' } },
    ).catch((e) => e);
    const err = r?.error ?? r;
    expect(err?.path ?? '').toBe('corpus');
  });
});
