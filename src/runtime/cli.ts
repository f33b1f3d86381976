/**
 * The experiment CLI: `npm run experiment -- <config.json> [--out <result.json>] [--seed N] [--quiet]`.
 * Runs the config on Dawn (WebGPU in Node) through the same runner as the browser worker, shows a
 * progress bar on stderr and writes the result JSON to --out or stdout.
 *
 * Exit codes: 0 finished; 2 invalid config or input file (the message names the field path, e.g.
 * `methods[1].rank: …`, or the file problem); 1 runtime failure or cancel (the partial result is
 * still written, with status failed or cancelled).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { InputError } from '../experiments/envelope';
import { kindNames, parseConfig } from '../experiments/schema';
import type { Gpu } from '../gpu/device';
import { type ExperimentEvent, runToResult } from './runner';

export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;

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

export const USAGE = `usage: npm run experiment -- <config.json> [--out <result.json>] [--seed <n>] [--quiet]

Runs an experiment config (schema smx/experiment@1; kinds: ${kindNames().join(', ')}) on WebGPU
(Dawn) and writes the result JSON (smx/result@1) to --out, or to stdout.
Exit codes: 0 finished, 2 invalid config or input file, 1 runtime failure (partial result written).`;

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
  quiet: boolean;
}

function parseArgs(argv: string[]): Args | { help: true } {
  let config: string | undefined;
  let out: string | undefined;
  let seed: number | undefined;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return { help: true };
    if (a === '--quiet' || a === '-q') quiet = true;
    else if (a === '--out' || a === '-o' || a === '--seed') {
      const v = argv[++i];
      if (v === undefined) throw new InputError(`${a} needs a value`);
      if (a === '--seed') {
        seed = Number(v);
        if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1)
          throw new InputError(`--seed must be an integer in [0, 2^32 - 1], got ${v}`);
      } else out = v;
    } else if (a.startsWith('-')) throw new InputError(`unknown option ${a}\n${USAGE}`);
    else if (config === undefined) config = a;
    else throw new InputError(`one config file at a time (got ${config} and ${a})`);
  }
  if (config === undefined) throw new InputError(`no config file given\n${USAGE}`);
  return { config, out, seed, quiet };
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

  // 1. The config file: readable, JSON, valid — all before any GPU work.
  let input: unknown;
  try {
    const bytes = await io.readFile(args.config);
    const text = new TextDecoder().decode(bytes);
    try {
      input = JSON.parse(text);
    } catch (e) {
      io.stderr(`error: ${args.config}: not valid JSON: ${(e as Error).message}\n`);
      return EXIT.invalid;
    }
  } catch (e) {
    io.stderr(`error: cannot read config file ${args.config}: ${(e as Error).message}\n`);
    return EXIT.invalid;
  }
  if (args.seed !== undefined && input && typeof input === 'object') input = { ...input, seed: args.seed };
  try {
    parseConfig(input);
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`error: ${args.config}: ${e.message}\n`);
      return EXIT.invalid;
    }
    throw e;
  }

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
    return EXIT.ok;
  } catch (e) {
    bar.end();
    if (e instanceof InputError) {
      io.stderr(`error: ${args.config}: ${e.message}\n`);
      return EXIT.invalid;
    }
    io.stderr(`error: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.failed;
  } finally {
    if (own) gpu.destroy();
  }
}
