/**
 * The experiment CLI: `npm run experiment -- <config.json | result.json> [--out <result.json>]
 * [--seed N] [--matrix <file>] [--artifacts DIR] [--tolerance T] [--no-compare] [--quiet]`.
 * Runs the config on Dawn (WebGPU in Node) through the same runner as the browser worker, shows a
 * progress bar on stderr and writes the result JSON to --out or stdout. Given a result file
 * (`smx/result@1`, e.g. exported from the playground) it re-runs the result's config and compares
 * the new figures with the file's (./compare.ts), reporting the largest difference.
 *
 * Exit codes: 0 finished (and, for a result file, figures within the tolerance); 2 invalid config
 * or input file (the message names the field path, e.g. `methods[1].rank: …`, or the file
 * problem); 1 runtime failure or cancel (the partial result is still written, with status failed
 * or cancelled); 3 the re-run's figures differ from the result file's beyond the tolerance.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type ExperimentResult, InputError, RESULT_SCHEMA_ID } from '../experiments/envelope';
import { getExperiment, kindNames, parseConfig, parseJson } from '../experiments/schema';
import type { Gpu } from '../gpu/device';
import { compareFigures, DEFAULT_TOLERANCE, formatDiff } from './compare';
import { type ExperimentEvent, runToResult } from './runner';

export const EXIT = { ok: 0, failed: 1, invalid: 2, differs: 3 } as const;

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: redraw one progress line instead of printing one per update. */
  tty: boolean;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, text: string): Promise<void>;
  /** The WebGPU context to use; default: createNodeGpu() (destroyed at the end). */
  gpu?: Gpu;
  signal?: AbortSignal;
}

export const USAGE = `usage: npm run experiment -- <config.json | result.json> [--out <result.json>] [--seed <n>]
         [--matrix <file.npy | file.safetensors>] [--artifacts <dir>] [--tolerance <t>] [--no-compare] [--quiet]

Runs an experiment config (schema smx/experiment@1; kinds: ${kindNames().join(', ')}) on WebGPU
(Dawn) and writes the result JSON (smx/result@1) to --out, or to stdout.
Given a result file (smx/result@1, e.g. exported from the playground), re-runs its config and
compares the new figures with the file's (timings, ids, dates and env left out), reporting the
largest difference; --tolerance sets the limit (default ${DEFAULT_TOLERANCE}; difference = |old − new| /
max(1, |old|, |new|)), --no-compare skips it.
--artifacts DIR writes the files a kind produces (finetune: DIR/<label>/adapter_model.safetensors +
adapter_config.json, or model.safetensors) into DIR.
--matrix replaces the config's matrix with a .npy / .safetensors file (needed for a run on a file
dropped in the browser: its bytes are not in the JSON).
Exit codes: 0 finished (and figures within the tolerance), 2 invalid config or input file,
1 runtime failure (partial result written), 3 figures differ from the result file's.`;

export function nodeIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    tty: Boolean(process.stderr.isTTY),
    readFile: async (p) => new Uint8Array(await readFile(p)),
    writeFile: (p, t) => writeFile(p, t),
  };
}

interface Args {
  config: string;
  out?: string;
  seed?: number;
  matrix?: string;
  /** Directory for files a kind writes beside the result (finetune: DIR/<label>/ PEFT exports). */
  artifacts?: string;
  tolerance: number;
  compare: boolean;
  quiet: boolean;
}

function parseArgs(argv: string[]): Args | { help: true } {
  let config: string | undefined;
  let out: string | undefined;
  let seed: number | undefined;
  let matrix: string | undefined;
  let artifacts: string | undefined;
  let tolerance = DEFAULT_TOLERANCE;
  let compare = true;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return { help: true };
    if (a === '--quiet' || a === '-q') quiet = true;
    else if (a === '--no-compare') compare = false;
    else if (['--out', '-o', '--seed', '--matrix', '--tolerance', '--artifacts'].includes(a)) {
      const v = argv[++i];
      if (v === undefined) throw new InputError(`${a} needs a value`);
      if (a === '--seed') {
        seed = Number(v);
        if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1)
          throw new InputError(`--seed must be an integer in [0, 2^32 - 1], got ${v}`);
      } else if (a === '--tolerance') {
        tolerance = Number(v);
        if (!(tolerance >= 0) || !Number.isFinite(tolerance))
          throw new InputError(`--tolerance must be a number ≥ 0, got ${v}`);
      } else if (a === '--matrix') matrix = v;
      else if (a === '--artifacts') artifacts = v;
      else out = v;
    } else if (a.startsWith('-')) throw new InputError(`unknown option ${a}\n${USAGE}`);
    else if (config === undefined) config = a;
    else throw new InputError(`one config file at a time (got ${config} and ${a})`);
  }
  if (config === undefined) throw new InputError(`no config file given\n${USAGE}`);
  return { config, out, seed, matrix, artifacts, tolerance, compare, quiet };
}

/** Writes DIR/<path> (folders made as needed; a path may not leave DIR). */
function artifactWriter(dir: string): (path: string, data: Uint8Array | string) => void {
  const root = resolve(dir);
  return (p, data) => {
    const target = resolve(root, p);
    if (!target.startsWith(`${root}/`))
      throw new InputError(`--artifacts: '${p}' would be written outside ${dir}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
  };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every matrix source in a config that names a dropped file (`{"source": "bytes"}`), with its path. */
export function bytesSources(config: unknown): Array<{ path: string; source: Json }> {
  const out: Array<{ path: string; source: Json }> = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 8) return;
    if (Array.isArray(v))
      v.forEach((x, i) => {
        walk(x, `${path}[${i}]`, depth + 1);
      });
    else if (isObject(v)) {
      if (v.source === 'bytes') out.push({ path, source: v });
      else for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k, depth + 1);
    }
  };
  walk(config, '', 0);
  return out;
}

/** Set the value at a path like `matrix` or `entries[2].matrix` in a copy of the config. */
function setAt(config: Json, path: string, value: unknown): Json {
  const copy = JSON.parse(JSON.stringify(config)) as Json;
  const keys = path.match(/[^.[\]]+/g) ?? [];
  let o: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys[keys.length - 1]] = value;
  return copy;
}

/**
 * Point the config's matrix at `file` (--matrix): every dropped-file source, else the top-level
 * `matrix`. Without --matrix a dropped-file source is an input error that says how to fix it.
 */
function withMatrixFile(
  config: Json,
  file: string | undefined,
  where: string,
): { config: Json; replaced: boolean } {
  const dropped = bytesSources(config);
  if (file === undefined) {
    if (dropped.length === 0) return { config, replaced: false };
    const { path, source } = dropped[0];
    const name = String(source.name ?? 'the file');
    const tensor = typeof source.tensor === 'string' ? `, "tensor": ${JSON.stringify(source.tensor)}` : '';
    throw new InputError(
      `this run used a file dropped in the browser (${name}); its bytes are not in the JSON. ` +
        `Point the CLI at the file: add --matrix path/to/${name}, or change ${where}${path} to ` +
        `{"source": "file", "path": "path/to/${name}"${tensor}} (a relative path is read from the JSON file's folder).`,
      path,
    );
  }
  const abs = resolve(file);
  const targets = dropped.length
    ? dropped
    : isObject(config.matrix)
      ? [{ path: 'matrix', source: config.matrix }]
      : [];
  if (targets.length === 0)
    throw new InputError(`--matrix: a ${String(config.kind)} config has no matrix to replace`);
  let out = config;
  for (const { path, source } of targets) {
    const tensor = typeof source.tensor === 'string' ? { tensor: source.tensor } : {};
    out = setAt(out, path, { source: 'file', path: abs, ...tensor });
  }
  return { config: out, replaced: true };
}

function progressRenderer(io: CliIO, quiet: boolean) {
  let last = '';
  let drawn = false;
  return {
    event(ev: ExperimentEvent) {
      if (quiet || ev.type !== 'progress') return;
      const pct = Math.round(Math.max(0, Math.min(1, ev.fraction)) * 100);
      const width = 24;
      const fill = Math.round((pct / 100) * width);
      const line = `[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${ev.message}`;
      if (line === last) return;
      last = line;
      if (io.tty) {
        io.stderr(`\r\x1b[2K${line.slice(0, 118)}`);
        drawn = true;
      } else io.stderr(`${line}\n`);
    },
    end() {
      if (drawn) io.stderr('\n');
      drawn = false;
    },
  };
}

/** The CLI: returns the exit code (the entry point passes it to process.exit). */
export async function main(argv: string[], io: CliIO = nodeIO()): Promise<number> {
  let args: Args;
  try {
    const a = parseArgs(argv);
    if ('help' in a) {
      io.stdout(`${USAGE}\n`);
      return EXIT.ok;
    }
    args = a;
  } catch (e) {
    io.stderr(`error: ${(e as Error).message}\n`);
    return EXIT.invalid;
  }

  // 1. The config file: readable, JSON, valid — all before any GPU work. A result file gives its
  // config (field paths then start with `config.`), and its figures to compare with.
  let input: unknown;
  try {
    const bytes = await io.readFile(args.config);
    const text = new TextDecoder().decode(bytes);
    try {
      input = parseJson(text);
    } catch (e) {
      io.stderr(`error: ${args.config}: ${(e as Error).message}\n`);
      return EXIT.invalid;
    }
  } catch (e) {
    io.stderr(`error: cannot read config file ${args.config}: ${(e as Error).message}\n`);
    return EXIT.invalid;
  }
  let previous: ExperimentResult | null = null;
  let where = '';
  if (isObject(input) && input.schema === RESULT_SCHEMA_ID) {
    if (!isObject(input.config)) {
      io.stderr(
        `error: ${args.config}: config: missing; a result file (${RESULT_SCHEMA_ID}) holds the config it ran\n`,
      );
      return EXIT.invalid;
    }
    previous = input as unknown as ExperimentResult;
    where = 'config.';
    input = input.config;
  }
  const invalid = (e: InputError) => {
    const path = e.path ? `${where}${e.path}` : where.slice(0, -1);
    io.stderr(`error: ${args.config}: ${path ? `${path}: ${e.detail}` : e.detail}\n`);
    return EXIT.invalid;
  };
  let replaced = false;
  try {
    if (args.seed !== undefined && isObject(input)) input = { ...input, seed: args.seed };
    if (isObject(input)) ({ config: input, replaced } = withMatrixFile(input, args.matrix, where));
    else if (args.matrix !== undefined) throw new InputError('--matrix: the config is not a JSON object');
    parseConfig(input);
  } catch (e) {
    if (e instanceof InputError) return invalid(e);
    throw e;
  }
  if (previous && !args.quiet)
    io.stderr(
      `re-running the config of ${args.config} (${previous.id ?? previous.kind}, ${previous.status})\n`,
    );

  // 2. The device.
  let gpu = io.gpu;
  const own = !gpu;
  if (!gpu) {
    try {
      const { createNodeGpu } = await import('./node-gpu');
      gpu = await createNodeGpu();
    } catch (e) {
      io.stderr(`error: no WebGPU device: ${(e as Error).message}\n`);
      return EXIT.failed;
    }
  }

  // 3. Run; matrix files named in the config resolve against the config's folder.
  const base = dirname(resolve(args.config));
  const bar = progressRenderer(io, args.quiet);
  try {
    const result = await runToResult(
      input,
      {
        gpu,
        signal: io.signal,
        env: { runtime: 'node' },
        readFile: (p) => io.readFile(isAbsolute(p) ? p : resolve(base, p)),
        ...(args.artifacts !== undefined ? { saveFile: artifactWriter(args.artifacts) } : {}),
      },
      (ev) => bar.event(ev),
    );
    bar.end();
    const text = `${JSON.stringify(result, null, 2)}\n`;
    if (args.out) {
      try {
        await io.writeFile(args.out, text);
      } catch (e) {
        io.stderr(`error: cannot write the result to ${args.out}: ${(e as Error).message}\n`);
        return EXIT.failed;
      }
      if (!args.quiet) io.stderr(`${result.status}: result written to ${args.out}\n`);
    } else io.stdout(text);
    if (result.status !== 'finished') {
      io.stderr(`error: run ${result.status}: ${result.error?.name ?? ''}: ${result.error?.message ?? ''}\n`);
      return EXIT.failed;
    }
    if (previous) return compareWith(io, args, previous, result, replaced);
    return EXIT.ok;
  } catch (e) {
    bar.end();
    if (e instanceof InputError) return invalid(e);
    io.stderr(`error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.failed;
  } finally {
    if (own) gpu.destroy();
  }
}

/** The re-run of a result file against the file's figures: one line, or the list of mismatches. */
function compareWith(
  io: CliIO,
  args: Args,
  previous: ExperimentResult,
  result: ExperimentResult,
  replacedMatrix: boolean,
): number {
  const skip = (why: string) => {
    io.stderr(`not compared with ${args.config}: ${why}\n`);
    return EXIT.ok;
  };
  if (!args.compare) return EXIT.ok;
  if (args.seed !== undefined) return skip('--seed changed the seed');
  if (previous.status !== 'finished')
    return skip(`its run was ${previous.status}, so its figures are partial`);
  if (previous.kind !== result.kind) return skip(`it is a ${previous.kind} result`);
  const def = getExperiment(result.kind);
  const c = compareFigures(
    {
      summary: previous.summary,
      series: isObject(previous.series) ? (previous.series as ExperimentResult['series']) : {},
      artifacts: isObject(previous.artifacts) ? previous.artifacts : {},
    },
    result,
    {
      tolerance: args.tolerance,
      ignoreKeys: def.timingFields,
      ignoreSeries: def.timingSeries,
      ignorePaths: replacedMatrix ? ['summary.matrix.name'] : [],
    },
  );
  const head = `compared ${c.compared} figures with ${args.config} (timings, ids, dates and env left out; tolerance ${c.tolerance})`;
  const largest = !c.largest
    ? 'no figures to compare'
    : c.largest.diff === 0
      ? 'every figure identical (largest difference 0)'
      : `largest difference ${formatDiff(c.largest)}`;
  if (c.mismatches.length === 0) {
    io.stderr(`${head}: ${largest}; they agree\n`);
    return EXIT.ok;
  }
  const lines = c.mismatches.slice(0, 10).map((d) => `  ${formatDiff(d)}`);
  if (c.mismatches.length > 10) lines.push(`  … and ${c.mismatches.length - 10} more`);
  io.stderr(
    `error: ${head}: ${c.mismatches.length} differ beyond the tolerance; ${largest}\n${lines.join('\n')}\n`,
  );
  return EXIT.differs;
}
