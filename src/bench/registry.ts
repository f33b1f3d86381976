/**
 * Benchmark registry: every kernel family registers its benchmarks here, and the bench page
 * (bench/main.ts, driven by `npm run bench`) times them all in one browser page, on one device,
 * with one timing method. Benchmarks that share a group and a shape label form a "case": they are
 * timed in alternating rounds (A B, B A, A B, ...) so that CPU-speed drift hits both alike, and a
 * bench that names a `baseline` gets its speedup against that bench of the same case.
 *
 * Timing (the same for every bench, ours and peers): one sample = `reps` calls of run(), then
 * submit(), then wait for queue.onSubmittedWorkDone(); wall clock of the whole, divided by reps.
 *
 * Before anything is timed, a bench whose instance has check() compares its output with the f64
 * oracle at the bench size; a failed check fails the bench (no time is reported for a wrong result).
 */

import type { Gpu } from '../gpu/device';
import { median } from '../gpu/stats';
import { Rng } from '../tensor/rng';

export interface BenchContext {
  gpu: Gpu;
  /** Seeded (per bench) for reproducible inputs. */
  rng: Rng;
}

export interface BenchInstance {
  /** Record one operation (no waiting). Called reps times per sample. */
  run(): void;
  /** Submit what run() recorded. Default: gpu.flush(). Peers with their own queue override it. */
  submit?(): void;
  dispose(): void;
  /**
   * Compare one output with the float64 oracle (src/reference) at this size; resolve to the error
   * measure it bounded (max |got − want| / (1 + max |want|)), throw when it is over the bound.
   */
  check?(): Promise<number>;
  /** Flops of one run() when only the built object knows them (a family's flops(batch)). */
  flops?: number;
}

export interface BenchSpec {
  /** Kernel family, e.g. 'gemm', 'monarch'. `--filter` matches group, name and shape. */
  group: string;
  /** Implementation, e.g. 'ours', 'tfjs', 'dense'. Unique within group + shape. */
  name: string;
  /** Shown beside the name, e.g. the kernel variant a plan picked. */
  note?: string;
  /** Shape label, e.g. '256×256·256×256'. Benches with the same group + shape are compared. */
  shape: string;
  /** Floating-point operations of one run() (2 × multiply-adds), for GFLOP/s; else the instance's. */
  flops?: number;
  /**
   * The bench of the same group + shape to report a speedup against; a list means the fastest of
   * them (by median) in this run, e.g. TF.js under each of its matmul programs.
   */
  baseline?: string | string[];
  /** Also report `tfSpeedup` against the fastest TF.js bench (name starting "tfjs") of the case. */
  versusTf?: boolean;
  /** Run in --quick mode too (default true). Set false for the slow, big shapes. */
  quick?: boolean;
  /** Allocate inputs, compile pipelines; return the operation to time. */
  setup(ctx: BenchContext): BenchInstance | Promise<BenchInstance>;
}

const specs: BenchSpec[] = [];

/** Register a benchmark. Throws on a duplicate group/shape/name. */
export function registerBench(spec: BenchSpec): void {
  if (specs.some((s) => s.group === spec.group && s.shape === spec.shape && s.name === spec.name))
    throw new Error(`registerBench: duplicate bench ${spec.group} / ${spec.shape} / ${spec.name}`);
  specs.push(spec);
}

export function registeredBenches(): readonly BenchSpec[] {
  return specs;
}

export interface BenchOptions {
  /** Substrings; a bench runs when group, name or shape label contains any of them. */
  filter?: string[];
  quick?: boolean;
  /** Timed rounds per bench (default 7, quick 5). */
  rounds?: number;
  /** Target wall time of one sample in ms (reps are chosen to reach it). */
  sampleMs?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface BenchResult {
  group: string;
  name: string;
  note?: string;
  shape: string;
  flops: number;
  reps: number;
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  gflops: number;
  /** The baseline bench the speedup is against (the fastest of a list). */
  baseline?: string;
  /** Median over rounds of (baseline ms / this ms), paired within each round. */
  speedup?: number;
  /** The fastest TF.js bench of the case, and the speedup against it (same pairing). */
  tfBaseline?: string;
  tfSpeedup?: number;
  /** Error measure of the oracle check before timing (absent: the bench has no check). */
  oracleError?: number;
  error?: string;
}

export const TIMING_METHOD =
  'wall clock from the first run() to queue.onSubmittedWorkDone(), divided by reps; ' +
  'output checked against the f64 oracle, then warm-up; benches of one case alternate order every round';

/** The step of performance.now() here (ms): browsers coarsen it (5 µs isolated, else 100 µs). */
export function clockResolutionMs(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    let t1 = performance.now();
    while (t1 === t0) t1 = performance.now();
    best = Math.min(best, t1 - t0);
  }
  return best;
}

/** The fastest (lowest median) of the named benches among `live`. */
function fastestOf<T extends { spec: BenchSpec; samples: number[] }>(
  live: T[],
  names: string[],
): T | undefined {
  let best: T | undefined;
  for (const l of live)
    if (names.includes(l.spec.name) && (!best || median(l.samples) < median(best.samples))) best = l;
  return best;
}

function matches(s: BenchSpec, filter: string[] | undefined): boolean {
  if (!filter || filter.length === 0) return true;
  const hay = `${s.group} ${s.name} ${s.shape}`.toLowerCase();
  return filter.some((f) => hay.includes(f.toLowerCase()));
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

async function sample(gpu: Gpu, inst: BenchInstance, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) inst.run();
  if (inst.submit) inst.submit();
  gpu.flush();
  await gpu.device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / reps;
}

/** Wait for the device, then take every WebGPU error reported so far ('' when there is none). */
async function drainErrors(gpu: Gpu): Promise<string> {
  try {
    await gpu.sync();
    gpu.checkErrors();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Run the registered benches (filtered), case by case. */
export async function runBenches(gpu: Gpu, opts: BenchOptions = {}): Promise<BenchResult[]> {
  const log = opts.log ?? (() => {});
  const quick = opts.quick ?? false;
  const rounds = opts.rounds ?? (quick ? 5 : 7);
  const sampleMs = opts.sampleMs ?? (quick ? 40 : 120);
  const chosen = specs.filter((s) => matches(s, opts.filter) && (!quick || s.quick !== false));
  const cases = new Map<string, BenchSpec[]>();
  for (const s of chosen) {
    const key = `${s.group}\u0000${s.shape}`;
    cases.set(key, [...(cases.get(key) ?? []), s]);
  }
  const results: BenchResult[] = [];
  for (const group of cases.values()) {
    const label = `${group[0].group} ${group[0].shape}`;
    const live: Array<{
      spec: BenchSpec;
      inst: BenchInstance;
      reps: number;
      samples: number[];
      flops: number;
      oracleError?: number;
    }> = [];
    const failed: BenchResult[] = [];
    for (const spec of group) {
      const base = {
        group: spec.group,
        name: spec.name,
        note: spec.note,
        shape: spec.shape,
        flops: spec.flops ?? Number.NaN,
        reps: 0,
        samplesMs: [],
        medianMs: Number.NaN,
        minMs: Number.NaN,
        maxMs: Number.NaN,
        gflops: Number.NaN,
        baseline: Array.isArray(spec.baseline) ? spec.baseline.join(' | ') : spec.baseline,
      };
      try {
        const rng = new Rng((opts.seed ?? 1) ^ hashString(`${spec.group}/${spec.shape}/${spec.name}`));
        const inst = await spec.setup({ gpu, rng });
        const flops = inst.flops ?? spec.flops;
        if (flops === undefined) throw new Error('no flops: give them in the spec or the instance');
        // The output against the f64 oracle before any timing (it also compiles the pipelines).
        let oracleError: number | undefined;
        if (inst.check) {
          try {
            oracleError = await inst.check();
          } catch (e) {
            inst.dispose();
            throw new Error(`oracle check failed: ${(e as Error).message}`);
          }
        }
        // Warm-up (compiles pipelines, fills pools), then one probe to choose reps.
        await sample(gpu, inst, 1);
        const probe = await sample(gpu, inst, 1);
        const reps = Math.max(1, Math.min(64, Math.round(sampleMs / Math.max(probe, 1e-3))));
        gpu.checkErrors();
        live.push({ spec, inst, reps, samples: [], flops, oracleError });
      } catch (e) {
        // Errors the failed setup left behind (an out-of-memory buffer used by work it had already
        // submitted) arrive after it threw: collect them now, so that the next bench does not
        // inherit them (a 1 GiB dense Hadamard once failed the FWHT bench after it this way).
        const leftover = await drainErrors(gpu);
        const message = `${(e as Error).message}${leftover ? ` (then: ${leftover})` : ''}`;
        failed.push({ ...base, error: message });
        log(`${label} ${spec.name}: FAILED in setup: ${message}`);
      }
    }
    // Same reps for every bench of a case keeps the comparison symmetric.
    const reps = live.length ? Math.min(...live.map((l) => l.reps)) : 1;
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? live : [...live].reverse();
      for (const l of order) l.samples.push(await sample(gpu, l.inst, reps));
    }
    gpu.checkErrors();
    const tfNames = live.filter((l) => l.spec.name.startsWith('tfjs')).map((l) => l.spec.name);
    const pairedSpeedup = (base: { samples: number[] }, own: number[]) =>
      median(own.map((ms, i) => base.samples[i] / ms));
    for (const l of live) {
      l.inst.dispose();
      const med = median(l.samples);
      const res: BenchResult = {
        group: l.spec.group,
        name: l.spec.name,
        note: l.spec.note,
        shape: l.spec.shape,
        flops: l.flops,
        reps,
        samplesMs: l.samples,
        medianMs: med,
        minMs: Math.min(...l.samples),
        maxMs: Math.max(...l.samples),
        gflops: l.flops / med / 1e6,
      };
      if (l.oracleError !== undefined) res.oracleError = l.oracleError;
      if (l.spec.baseline) {
        const names = Array.isArray(l.spec.baseline) ? l.spec.baseline : [l.spec.baseline];
        const base = fastestOf(live, names);
        if (base) {
          res.baseline = base.spec.name;
          res.speedup = pairedSpeedup(base, l.samples);
        }
      }
      if (l.spec.versusTf) {
        const tf = fastestOf(live, tfNames);
        if (tf) {
          res.tfBaseline = tf.spec.name;
          res.tfSpeedup = pairedSpeedup(tf, l.samples);
        }
      }
      results.push(res);
    }
    results.push(...failed);
    log(
      `${label}: ${results
        .slice(-group.length)
        .map((r) => `${r.name} ${r.medianMs.toFixed(2)} ms`)
        .join(', ')}`,
    );
  }
  return results;
}
