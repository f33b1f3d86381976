/**
 * The one runner the Web Worker and the Node CLI share: validate a config, run its kind, stream
 * events, and assemble the result JSON (`smx/result@1`) with status finished | failed | cancelled.
 *
 *   for await (const ev of run(config, ctx)) …       // progress | metric | artifact | done{result}
 *   const result = await runToResult(config, ctx)     // the same, collected
 *
 * An invalid config or input (a field out of range, a spec that does not fit the matrix, a bad
 * matrix file) throws InputError before or instead of a result; anything that goes wrong while
 * running gives a result with status failed that keeps the series, artifacts and partial summary.
 */
import { name as appName, version as appVersion } from '../../package.json';
import { loadMatrix as defaultLoadMatrix, type LoadContext } from '../data/sources';
import type { MatrixSourceInput } from '../data/sources.schema';
import { MatrixFileError, MatrixSourceError } from '../data/types';
import {
  type ExperimentEvent,
  type ExperimentResult,
  InputError,
  isAbort,
  type KindContext,
  RESULT_SCHEMA_ID,
  type RunEnv,
} from '../experiments/envelope';
import { engineKind } from '../experiments/kinds';
import { issuesToError, parseConfig, resultSchemaOf } from '../experiments/schema';
import type { Gpu } from '../gpu/device';
import { Rng } from '../tensor/rng';

export interface RunContext {
  gpu: Gpu;
  /** Overrides config.seed when given (the result's config shows the seed used). */
  seed?: number;
  signal?: AbortSignal;
  env: { runtime: 'browser' | 'node'; userAgent?: string };
  /** Node: read a matrix file named by a `{"source": "file"}` config. */
  readFile?: (path: string) => Promise<Uint8Array>;
  /** Write a file a kind produces beside the result (the CLI's --artifacts DIR). */
  saveFile?: (path: string, data: Uint8Array | string) => void;
  /** Browser: the dropped file for a `{"source": "bytes"}` config. */
  bytes?: Uint8Array;
  /** Replace the matrix loader (tests). */
  loadMatrix?: typeof defaultLoadMatrix;
}

export type { ExperimentEvent, ExperimentResult };

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function userAgent(): string {
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
  if (nav?.userAgent) return nav.userAgent;
  const proc = (globalThis as { process?: { version?: string } }).process;
  return proc?.version ? `node ${proc.version}` : 'unknown';
}

export function runEnv(ctx: RunContext): RunEnv {
  const g = ctx.gpu;
  return {
    app: appName,
    version: appVersion,
    runtime: ctx.env.runtime,
    userAgent: ctx.env.userAgent ?? userAgent(),
    adapter: { ...g.info, limits: { ...g.info.limits } },
    timing: g.hasTimestamps ? 'timestamp-query' : 'wall-clock',
  };
}

/** Matrix-loading problems are input problems: name the config path. */
function asInputError(e: unknown, path: string): unknown {
  if (e instanceof MatrixFileError) return new InputError(e.message, path);
  if (e instanceof MatrixSourceError) return new InputError(e.message, e.field ? `${path}.${e.field}` : path);
  if (e instanceof Error && e.name === 'ZodError' && 'issues' in e)
    return issuesToError((e as unknown as { issues: never[] }).issues, path.split('.'));
  if (e instanceof Error && /ENOENT|EACCES|EISDIR|no such file/i.test(e.message))
    return new InputError(`cannot read the matrix file: ${e.message}`, path);
  return e;
}

/**
 * Run one experiment config. Yields the kind's events, then done{result}; returns the result too.
 * Throws InputError when the config or an input file is invalid.
 */
export async function* run(
  input: unknown,
  ctx: RunContext,
): AsyncGenerator<ExperimentEvent, ExperimentResult> {
  const withSeed =
    ctx.seed !== undefined && typeof input === 'object' && input !== null
      ? { ...input, seed: ctx.seed }
      : input;
  const { def, config } = parseConfig(withSeed);
  const signal = ctx.signal ?? new AbortController().signal;
  const startedAt = new Date().toISOString();
  const configJson = JSON.stringify(config);
  const result: ExperimentResult = {
    schema: RESULT_SCHEMA_ID,
    id: `${def.kind}-${startedAt.replace(/[-:.TZ]/g, '').slice(0, 14)}-${hash(configJson)}`,
    kind: def.kind,
    status: 'finished',
    config: JSON.parse(configJson),
    env: runEnv(ctx),
    startedAt,
    endedAt: startedAt,
    summary: null,
    series: {},
    artifacts: {},
  };
  let partial: unknown = null;
  const load = ctx.loadMatrix ?? defaultLoadMatrix;
  const kctx: KindContext = {
    gpu: ctx.gpu,
    signal,
    ...(ctx.saveFile ? { saveFile: ctx.saveFile } : {}),
    setSummary: (s) => {
      partial = s;
    },
    async loadMatrix(source, path) {
      // Its own stream (seed 2s + 1; the kind draws from seed s): matrix and method draws independent.
      const lctx: LoadContext = {
        rng: new Rng(config.seed * 2 + 1),
        readFile: ctx.readFile,
        bytes: ctx.bytes,
      };
      try {
        return await load(source as MatrixSourceInput, lctx);
      } catch (e) {
        throw asInputError(e, path);
      }
    },
  };
  try {
    if (signal.aborted) throw Object.assign(new Error('The run was cancelled.'), { name: 'AbortError' });
    const gen = engineKind(def.kind).run(config, kctx);
    for (;;) {
      const step = await gen.next();
      if (step.done) {
        result.summary = step.value;
        break;
      }
      const ev = step.value;
      if (ev.type === 'metric') (result.series[ev.series] ??= []).push({ step: ev.step, value: ev.value });
      else if (ev.type === 'artifact') result.artifacts[ev.name] = ev.data;
      yield ev;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    result.summary = partial;
    if (isAbort(e) || signal.aborted) {
      result.status = 'cancelled';
      result.error = { name: 'AbortError', message: 'The run was cancelled.' };
    } else {
      result.status = 'failed';
      const err = e instanceof Error ? e : new Error(String(e));
      result.error = { name: err.name, message: err.message };
    }
  }
  result.endedAt = new Date().toISOString();
  // Known once something was timed (the timestamp quantum is observed, not declared).
  result.env.clockResolutionMs = ctx.gpu.timerResolutionMs();
  // Every written result must validate against the published schema: a NaN or a missing field is
  // a bug in the kind, reported as a failure rather than written as broken JSON.
  const check = resultSchemaOf(def.kind).safeParse(result);
  if (!check.success) {
    const err = issuesToError(check.error.issues);
    result.status = 'failed';
    result.error = {
      name: 'ResultSchemaError',
      message: `the result does not match its schema: ${err.message}`,
    };
    result.summary = null;
  }
  yield { type: 'done', result };
  return result;
}

/** Drive run() to the end; `onEvent` sees every event (done included). */
export async function runToResult(
  input: unknown,
  ctx: RunContext,
  onEvent?: (ev: ExperimentEvent) => void,
): Promise<ExperimentResult> {
  const gen = run(input, ctx);
  for (;;) {
    const step = await gen.next();
    if (step.done) return step.value;
    onEvent?.(step.value);
  }
}
