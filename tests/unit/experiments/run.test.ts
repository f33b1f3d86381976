/**
 * Experiments run for real on WebGPU (Dawn): every preset through the CLI code path (in-process
 * main()), results validated against the published JSON Schema, figures checked against
 * independent facts (Eckart–Young, the B-spline symbol, orthogonal norm preservation), same seed →
 * identical figures, cancel → status cancelled, runtime failure → exit 1 with a failed result,
 * and the worker host (protocol, cancel, device loss and recovery).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data/npy';
import { writeSafetensors } from '../../../src/data/safetensors';
import { loadMatrix } from '../../../src/data/sources';
import { sweepSpecs } from '../../../src/experiments/approximation';
import type { ExperimentResult } from '../../../src/experiments/envelope';
import type { Gpu } from '../../../src/gpu/device';
import { offBlockMass } from '../../../src/reference/blockdiag';
import { kronProject } from '../../../src/reference/kronecker';
import { eckartYoungError, fwsvd, svd as svd64 } from '../../../src/reference/lowrank';
import { monarchDense, monarchProject, monarchShape } from '../../../src/reference/monarch';
import { frobDiff, nmProject, topK } from '../../../src/reference/sparse';
import { createNodeGpu } from '../../../src/runtime/node-gpu';
import type { FromWorker } from '../../../src/runtime/protocol';
import { runToResult } from '../../../src/runtime/runner';
import { createWorkerHost } from '../../../src/runtime/worker';
import { getFamily, registeredFamilies } from '../../../src/structured/registry';
import { Rng } from '../../../src/tensor/rng';
import { Tensor } from '../../../src/tensor/tensor';
import { getGpu } from '../gpu';
import { cli, figures, PRESET_DIR, presets, schemaErrors } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: summaries are checked field by field
type Any = any;
const preset = (kind: string): Any => {
  const p = presets().find((x) => x.config.kind === kind);
  if (!p) throw new Error(`no preset for ${kind}`);
  return JSON.parse(JSON.stringify(p.config));
};

/**
 * ‖W − best member‖_F of a family, from the f64 oracles in src/reference alone (their own SVD):
 * null for sparse+lowrank, whose projection is an alternating heuristic with no closed form.
 */
function oracleError(spec: Any, W: Float64Array, rows: number, cols: number): number | null {
  const M = { data: W, shape: [rows, cols] };
  switch (spec.family) {
    case 'lowrank':
    case 'orthoproj':
      return eckartYoungError(svd64(W, rows, cols).S, spec.rank);
    case 'fwsvd':
      return frobDiff(W, fwsvd(W, rows, cols, spec.rank, spec.importance));
    case 'blockdiag':
      return Math.sqrt(offBlockMass(M, { nb: spec.blocks, R: rows / spec.blocks, K: cols / spec.blocks }));
    case 'monarch': {
      const s = monarchShape(rows, cols, spec.blocks);
      const { w1, w2 } = monarchProject(M, s);
      return frobDiff(W, monarchDense(w1, w2, s).data);
    }
    case 'kronecker': {
      const f = spec.factor ?? spec.terms;
      const [p, q] = Array.isArray(f) ? f : [f, f];
      const { sigma } = kronProject(M, { n: spec.terms, p, q, r: rows / p, s: cols / q });
      return eckartYoungError(sigma, spec.terms);
    }
    case 'sparse':
      return frobDiff(W, topK(W, Math.max(1, Math.round(spec.density * rows * cols))));
    case 'nm-sparse':
      return frobDiff(W, nmProject(W, rows, cols, spec.n ?? 2, spec.m ?? 4));
    case 'sparse+lowrank':
    case 'dense-sparse': // alternating least squares from the SVD: a heuristic, no closed form
      return null;
    default:
      throw new Error(`no oracle for family ${spec.family}: add one to oracleError`);
  }
}

/** The matrix a run used, generated again the way the runner does (stream 2·seed + 1). */
async function matrixOf(config: Any): Promise<Float64Array> {
  return (await loadMatrix(config.matrix, { rng: new Rng(config.seed * 2 + 1) })).data;
}

/** A smaller approximation config (same families), for the repeated runs below. */
function smallApproximation(seed = 3): Any {
  const c = preset('approximation');
  c.seed = seed;
  c.matrix = {
    source: 'generate',
    generator: 'lowrank-noise',
    rows: 32,
    cols: 24,
    rank: 12,
    decay: 0.8,
    noise: 0.01,
  };
  c.methods = [
    { family: 'lowrank', rank: 3 },
    { family: 'sparse', density: 0.2 },
  ];
  c.sweep = { budgets: [0.1, 0.3], families: ['lowrank'] };
  c.repeats = 1;
  c.warmup = 0;
  return c;
}

const results = new Map<string, ExperimentResult>();

/**
 * A fine-tune preset trains every method for hundreds of steps (minutes on SwiftShader): here it
 * runs the same path (base, every method's init, steps, evaluation) shortened to two steps of tiny
 * batches, so the suite stays fast; the compression preset runs with a shorter recovery. Every
 * other preset runs exactly as shipped.
 */
function asTested(config: Record<string, unknown>): Record<string, unknown> {
  // compression: the same methods and budgets, 2 recovery steps and Fisher batches (its own test
  // file checks the figures)
  if (config.kind === 'compression')
    return {
      ...config,
      fisherBatches: 2,
      ...(config.recovery ? { recovery: { ...(config.recovery as object), steps: 2 } } : {}),
    };
  if (config.kind !== 'finetune') return config;
  const base = config.base as Record<string, unknown>;
  return {
    ...config,
    steps: 2,
    evalEvery: 2,
    batch: base.type === 'teacher-student' ? config.batch : 2,
    base: base.type === 'pretrain' ? { ...base, steps: 2 } : base,
  };
}

describe('every preset runs through the CLI', () => {
  for (const p of presets()) {
    it(`${p.file}: exit 0, status finished, valid against result.schema.json`, async () => {
      const out = `/virtual/${p.file}.result.json`;
      const tested = JSON.stringify(asTested(p.config));
      const r = await cli([p.path, '--out', out, '--quiet'], {
        readFile: async (f) =>
          f === p.path ? new TextEncoder().encode(tested) : new Uint8Array(readFileSync(f)),
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const result = JSON.parse(r.files.get(out) ?? 'null') as ExperimentResult;
      expect(result.status).toBe('finished');
      expect(result.schema).toBe('smx/result@1');
      expect(result.env.runtime).toBe('node');
      expect(schemaErrors('result', result)).toBe('');
      results.set(p.config.kind as string, result);
    }, 300_000);
  }

  it('stdout gets the result when there is no --out; progress goes to stderr', async () => {
    const r = await cli([resolve(PRESET_DIR, 'spectrum.json')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).kind).toBe('spectrum');
    expect(r.stderr).toMatch(/\[#*-*\]\s+\d+% /);
  }, 120_000);
});

describe('figures agree with independent facts', () => {
  it('approximation: W’s spectrum and every error equal the f64 oracle’s (own SVD); one entry per method in config order', async () => {
    const r = results.get('approximation');
    if (!r) throw new Error('the approximation preset did not run');
    const cfg = r.config as Any;
    const s = r.summary as Any;
    expect(s.methods.map((m: Any) => m.family)).toEqual(cfg.methods.map((m: Any) => m.family));
    const [rows, cols] = [cfg.matrix.rows, cfg.matrix.cols];
    const W = await matrixOf(cfg);
    const want = svd64(W, rows, cols).S;
    const sv = (r.artifacts['singularValues/W'] as Any).values as number[];
    expect(sv.length).toBe(want.length);
    for (const [i, v] of sv.entries()) expect(Math.abs(v - want[i]), `σ${i}`).toBeLessThan(1e-9 * want[0]);
    const fro = Math.hypot(...want);
    expect(Math.abs(fro - s.matrix.frobNorm) / fro).toBeLessThan(1e-9);
    for (const [i, m] of s.methods.entries()) {
      const oracle = oracleError(cfg.methods[i], W, rows, cols);
      if (oracle !== null) expect(Math.abs(m.relFrobError - oracle / fro), m.label).toBeLessThan(1e-4);
    }
    for (const m of s.methods) {
      const spec = cfg.methods[s.methods.indexOf(m)];
      expect(m.params).toBe(getFamily(spec.family).paramCount(spec, cfg.matrix.rows, cfg.matrix.cols));
      expect(m.relFrobError).toBeGreaterThanOrEqual(0);
      expect(m.relSpectralError).toBeLessThanOrEqual(m.relFrobError * Math.sqrt(64) + 1e-9);
      expect(m.applyMs).toBeGreaterThanOrEqual(0);
      if (m.family === 'lowrank') {
        const r0 = spec.rank;
        const tail = Math.hypot(...sv.slice(r0));
        expect(Math.abs(m.relFrobError - tail / fro)).toBeLessThan(1e-4);
        expect(Math.abs(m.relSpectralError - sv[r0] / sv[0])).toBeLessThan(1e-4);
      }
      const heat = r.artifacts[`errorHeatmap/${m.label}`] as Any;
      expect(heat.rows * heat.cols).toBe(heat.values.length);
      expect(heat.rows).toBeLessThanOrEqual(64);
    }
    // The sweep: error falls as the budget grows, one series per family, step = params.
    for (const fam of cfg.sweep.families) {
      const pts = r.series[`error/${fam}`];
      expect(pts.length, fam).toBeGreaterThan(1);
      for (let i = 1; i < pts.length; i++) expect(pts[i].step).toBeGreaterThan(pts[i - 1].step);
      if (fam === 'lowrank')
        for (let i = 1; i < pts.length; i++) expect(pts[i].value).toBeLessThan(pts[i - 1].value);
    }
  });

  it('spectrum: Toeplitz B-spline eigenvalues match the symbol samples; orthogonal keeps ‖x‖', () => {
    const r = results.get('spectrum');
    if (!r) throw new Error('the spectrum preset did not run');
    const s = r.summary as Any;
    const toe = s.entries.find((e: Any) => e.type === 'toeplitz-bspline');
    // ALGORITHMS.md §6: p = 3, α = 1.5, n = 64 → within 6.4e-3 (a rounded figure: 6.43e-3 here).
    expect(toe.symbolMaxAbsDiff).toBeLessThan(6.5e-3);
    expect(toe.symbolMaxAbsDiff).toBeGreaterThan(1e-4);
    expect(toe.min).toBeGreaterThan(0);
    const rnd = s.entries.find((e: Any) => e.type === 'random');
    expect(Math.abs(rnd.orthogonalNormRatio - 1)).toBeLessThan(1e-3);
    const norms = r.series[`norm/${rnd.label}/orthogonal`];
    expect(norms.length).toBe((r.config as Any).entries.find((e: Any) => e.type === 'random').steps + 1);
    for (const e of s.entries.filter((x: Any) => x.type === 'structured')) expect(e.max).toBeGreaterThan(0);
  });

  it('speedup: one row per kernel × size × batch in config order, params and flops from the family', () => {
    const r = results.get('speedup');
    if (!r) throw new Error('the speedup preset did not run');
    const cfg = r.config as Any;
    const rows = (r.summary as Any).kernels;
    expect(rows.length).toBe(cfg.kernels.length * cfg.sizes.length * cfg.batch.length);
    // Dawn's timestamp quantisation (65.536 µs steps) is switched off in Node (src/runtime/node-gpu.ts).
    expect(r.env.clockResolutionMs).toBeGreaterThan(0);
    expect(r.env.clockResolutionMs).toBeLessThan(0.001);
    let i = 0;
    for (const spec of cfg.kernels)
      for (const n of cfg.sizes)
        for (const b of cfg.batch) {
          const row = rows[i++];
          expect([row.family, row.n, row.batch]).toEqual([spec.family, n, b]);
          expect(row.params).toBe(getFamily(spec.family).paramCount(spec, n, n));
          expect(row.denseFlops).toBe(2 * b * n * n);
          expect(row.ms).toBeGreaterThan(0);
          // Spread and count are reported; the speedup is a median of per-round ratios, so it lies
          // between the extreme ratios the two spreads allow.
          expect(row.samples).toBe(cfg.repeats);
          expect(row.msMin).toBeLessThanOrEqual(row.ms);
          expect(row.ms).toBeLessThanOrEqual(row.msMax);
          expect(row.denseMsMin).toBeLessThanOrEqual(row.denseMs);
          expect(row.denseMs).toBeLessThanOrEqual(row.denseMsMax);
          expect(row.speedup).toBeGreaterThanOrEqual(row.denseMsMin / row.msMax - 1e-12);
          expect(row.speedup).toBeLessThanOrEqual(row.denseMsMax / row.msMin + 1e-12);
          expect(row.reps).toBeGreaterThanOrEqual(1);
        }
  });
});

describe('every registered family through the runner', () => {
  // Specs derive from the registry, so families added later are covered without editing this test.
  const specs = () =>
    registeredFamilies().map((f) => {
      const pick = sweepSpecs(f.name, 24, 24, [0.3, 0.6, 1])[0];
      if (!pick) throw new Error(`no valid ${f.name} spec for 24 × 24 within the budget`);
      return pick.spec;
    });

  it('approximation: params = paramCount, every family’s error = the f64 oracle’s best member', async () => {
    const gpu = await getGpu();
    const methods = specs();
    const live = Tensor.liveCount();
    const r = await runToResult(
      {
        schema: 'smx/experiment@1',
        kind: 'approximation',
        seed: 5,
        matrix: { source: 'generate', generator: 'gaussian', rows: 24, cols: 24 },
        methods,
        repeats: 1,
        warmup: 0,
      },
      { gpu, env: { runtime: 'node' } },
    );
    expect(r.error, JSON.stringify(r.error)).toBeUndefined();
    expect(r.status).toBe('finished');
    expect(Tensor.liveCount(), 'tensors leaked by a run').toBe(live);
    const rows = (r.summary as Any).methods;
    expect(rows.map((m: Any) => m.family)).toEqual(methods.map((m) => m.family));
    // Each error against the f64 oracle's best member (own SVD); sparse+lowrank (no closed form) must
    // beat its own low-rank part alone. An all-zero result (error 1) fails both.
    const W = await matrixOf(r.config);
    const fro = Math.hypot(...svd64(W, 24, 24).S);
    rows.forEach((m: Any, i: number) => {
      expect(m.params, m.label).toBe(getFamily(methods[i].family).paramCount(methods[i] as never, 24, 24));
      const oracle = oracleError(methods[i], W, 24, 24);
      if (oracle !== null) expect(Math.abs(m.relFrobError - oracle / fro), m.label).toBeLessThan(1e-4);
      else if (methods[i].family === 'dense-sparse') {
        // D·S has rank ≤ k: never better than the rank-k truncated SVD (Eckart–Young).
        const lowRank = eckartYoungError(svd64(W, 24, 24).S, (methods[i] as Any).rank) / fro;
        expect(m.relFrobError, m.label).toBeGreaterThan(lowRank - 1e-6);
      } else {
        const lowRankOnly = eckartYoungError(svd64(W, 24, 24).S, (methods[i] as Any).rank) / fro;
        expect(m.relFrobError, m.label).toBeLessThan(lowRankOnly + 1e-6);
      }
      expect(m.relFrobError, m.label).toBeGreaterThan(0.01);
      expect(m.relFrobError, m.label).toBeLessThan(0.99);
    });
    expect(schemaErrors('result', r)).toBe('');
  }, 120_000);

  it('speedup: every family times against the dense GEMM', async () => {
    const gpu = await getGpu();
    const kernels = specs();
    const live = Tensor.liveCount();
    const r = await runToResult(
      {
        schema: 'smx/experiment@1',
        kind: 'speedup',
        kernels,
        sizes: [24],
        batch: [8],
        warmup: 0,
        repeats: 5,
      },
      { gpu, env: { runtime: 'node' } },
    );
    expect(r.error, JSON.stringify(r.error)).toBeUndefined();
    expect(Tensor.liveCount(), 'tensors leaked by a run').toBe(live);
    const rows = (r.summary as Any).kernels;
    expect(rows).toHaveLength(kernels.length);
    for (const row of rows) {
      expect(row.ms, row.label).toBeGreaterThanOrEqual(0);
      expect(row.denseMs, row.label).toBeGreaterThanOrEqual(0);
      expect(row.flops, row.label).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('determinism, cancel, failure', () => {
  it('same config + seed → identical figures; another seed → different ones', async () => {
    const gpu = await getGpu();
    const ctx = { gpu, env: { runtime: 'node' as const } };
    const live = Tensor.liveCount();
    const a = await runToResult(smallApproximation(3), ctx);
    expect(Tensor.liveCount(), 'tensors leaked by a run').toBe(live);
    const b = await runToResult(smallApproximation(3), ctx);
    const c = await runToResult(smallApproximation(4), ctx);
    expect(a.status).toBe('finished');
    expect(figures(b)).toEqual(figures(a));
    expect((c.summary as Any).methods[0].relFrobError).not.toBe((a.summary as Any).methods[0].relFrobError);
    const s1 = await runToResult(
      { ...preset('spectrum'), entries: [{ type: 'random', n: 16, steps: 5 }] },
      ctx,
    );
    const s2 = await runToResult(
      { ...preset('spectrum'), entries: [{ type: 'random', n: 16, steps: 5 }] },
      ctx,
    );
    expect(figures(s2)).toEqual(figures(s1));
  }, 120_000);

  it('an abort mid-run gives status cancelled with the partial summary, still schema-valid', async () => {
    const gpu = await getGpu();
    const controller = new AbortController();
    let progress = 0;
    const r = await runToResult(
      smallApproximation(),
      { gpu, env: { runtime: 'node' }, signal: controller.signal },
      (ev) => {
        if (ev.type === 'progress' && ++progress === 3) controller.abort();
      },
    );
    expect(r.status).toBe('cancelled');
    expect(r.error?.name).toBe('AbortError');
    expect((r.summary as Any).methods.length).toBeGreaterThan(0);
    expect((r.summary as Any).methods.length).toBeLessThan(2);
    expect(schemaErrors('result', r)).toBe('');
  }, 60_000);

  it('a runtime failure (device lost) → exit 1 and the partial result with status failed', async () => {
    const gpu = await createNodeGpu();
    gpu.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const r = await cli([resolve(PRESET_DIR, 'approximation.json'), '--out', '/virtual/failed.json'], {
      gpu,
    });
    expect(r.code).toBe(1);
    const result = JSON.parse(r.files.get('/virtual/failed.json') ?? 'null');
    expect(result.status).toBe('failed');
    expect(result.error.name).toBe('DeviceLostError');
    expect(schemaErrors('result', result)).toBe('');
    expect(r.stderr).toMatch(/run failed/);
  }, 60_000);

  it('matrix files (.npy, safetensors) next to the config: the same matrix gives the same errors', async () => {
    const rows = 20;
    const cols = 12;
    const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.7) + (i % 7) / 7);
    const cfg = smallApproximation();
    cfg.sweep = undefined;
    cfg.timing = false;
    const files = new Map<string, Uint8Array>([
      ['/virtual/dir/w.npy', writeNpy({ rows, cols, data })],
      [
        '/virtual/dir/w.safetensors',
        writeSafetensors({ other: { rows: 1, cols: 2, data: [1, 2] }, 'layer.weight': { rows, cols, data } }),
      ],
    ]);
    const readFile = async (p: string) => {
      const b = files.get(p);
      if (!b) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return b;
    };
    const out: Any[] = [];
    for (const matrix of [
      { source: 'file', path: 'w.npy' },
      { source: 'file', path: 'w.safetensors', tensor: 'layer.weight' },
    ]) {
      files.set('/virtual/dir/cfg.json', new TextEncoder().encode(JSON.stringify({ ...cfg, matrix })));
      const r = await cli(['/virtual/dir/cfg.json', '--out', '/virtual/out.json', '--quiet'], { readFile });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const result = JSON.parse(r.files.get('/virtual/out.json') ?? 'null');
      expect(result.summary.matrix).toMatchObject({ rows, cols });
      out.push(result.summary.methods.map((m: Any) => m.relFrobError));
    }
    expect(out[1]).toEqual(out[0]);
    // No tensor named in a file with two 2-D tensors: an input error naming the file.
    files.set(
      '/virtual/dir/cfg.json',
      new TextEncoder().encode(JSON.stringify({ ...cfg, matrix: { source: 'file', path: 'w.safetensors' } })),
    );
    const r = await cli(['/virtual/dir/cfg.json'], { readFile });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/matrix: w\.safetensors/);
  }, 60_000);

  it('a bad matrix file is an input error: exit 2 naming the file problem', async () => {
    const cfg = smallApproximation();
    cfg.matrix = { source: 'file', path: 'w.npy' };
    const files = new Map<string, Uint8Array>([
      ['/virtual/cfg.json', new TextEncoder().encode(JSON.stringify(cfg))],
      ['/virtual/w.npy', new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 200, 0, 123])],
    ]);
    const readFile = async (p: string) => {
      const b = files.get(p);
      if (!b) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return b;
    };
    const r = await cli(['/virtual/cfg.json'], { readFile });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/matrix: w\.npy: /);
    cfg.matrix = { source: 'file', path: 'missing.npy' };
    files.set('/virtual/cfg.json', new TextEncoder().encode(JSON.stringify(cfg)));
    const r2 = await cli(['/virtual/cfg.json'], { readFile });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/matrix: cannot read the matrix file/);
  }, 60_000);
});

describe('worker host (the Web Worker logic, on Dawn)', () => {
  it("the background warm-up waits for the page's warmUp (its first figures drawn)", async () => {
    let gpu: Gpu | null = null;
    const host = createWorkerHost({
      post: () => {},
      createGpu: async () => {
        gpu = await createNodeGpu();
        return gpu;
      },
      env: { runtime: 'browser' },
    });
    await host.handle({ type: 'init' });
    const g = gpu as unknown as Gpu;
    expect(g.backgroundBacklog, 'no warm-up before the page asks').toBe(0);
    await host.handle({ type: 'warmUp' });
    expect(g.backgroundBacklog).toBeGreaterThan(10);
    g.destroy();
  });

  it('init → ready; run streams events then done; invalid → error with path; cancel; device loss → recovery', async () => {
    const msgs: FromWorker[] = [];
    const host = createWorkerHost({
      post: (m) => msgs.push(m),
      createGpu: () => createNodeGpu(),
      env: { runtime: 'browser' },
      precompile: false,
    });
    await host.handle({ type: 'init' });
    expect(msgs[0].type).toBe('ready');

    const cfg = { ...preset('spectrum'), entries: [{ type: 'random', n: 8, steps: 3 }] };
    await host.handle({ type: 'run', id: 'a', config: cfg });
    const bad = smallApproximation();
    bad.methods[1] = { family: 'lowrank', rank: 99 };
    await host.handle({ type: 'run', id: 'b', config: bad });
    await host.handle({ type: 'run', id: 'c', config: smallApproximation() });
    await host.handle({ type: 'cancel', id: 'c' });
    await host.idle();
    const of = (id: string) => msgs.filter((m) => 'id' in m && m.id === id);
    const a = of('a');
    expect(a.some((m) => m.type === 'event' && m.event.type === 'metric')).toBe(true);
    const doneA = a[a.length - 1];
    expect(doneA.type === 'event' && doneA.event.type === 'done' && doneA.event.result.status).toBe(
      'finished',
    );
    const b = of('b');
    expect(b).toHaveLength(1);
    expect(b[0].type === 'error' && b[0].error.path).toBe('methods[1].rank');
    const c = of('c');
    const doneC = c[c.length - 1];
    expect(doneC.type === 'event' && doneC.event.type === 'done' && doneC.event.result.status).toBe(
      'cancelled',
    );

    await host.handle({ type: 'loseDevice' });
    await new Promise((r) => setTimeout(r, 50));
    expect(msgs.some((m) => m.type === 'deviceLost')).toBe(true);
    await host.handle({ type: 'run', id: 'd', config: cfg });
    await host.idle();
    const d = of('d');
    const doneD = d[d.length - 1];
    expect(doneD.type === 'event' && doneD.event.type === 'done' && doneD.event.result.status).toBe(
      'finished',
    );
  }, 120_000);
});
