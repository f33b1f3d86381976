/** Shared helpers of the experiment tests: presets, the published JSON Schemas, in-process CLI. */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import type { ExperimentResult } from '../../../src/experiments/envelope';
import { getExperiment } from '../../../src/experiments/schema';
import { type CliIO, main } from '../../../src/runtime/cli';
import { getGpu } from '../gpu';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const PRESET_DIR = resolve(ROOT, 'public/experiments');

export function presets(): Array<{ file: string; path: string; config: Record<string, unknown> }> {
  return readdirSync(PRESET_DIR)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .sort()
    .map((file) => {
      const path = resolve(PRESET_DIR, file);
      return { file, path, config: JSON.parse(readFileSync(path, 'utf8')) };
    });
}

let ajv: Ajv | null = null;
function compiled() {
  ajv ??= new Ajv({ allErrors: true, strict: false });
  const load = (f: string) => JSON.parse(readFileSync(resolve(ROOT, 'public/schema', f), 'utf8'));
  return {
    config:
      ajv.getSchema('https://smx.invalid/schema/experiment.schema.json') ??
      ajv.compile(load('experiment.schema.json')),
    result:
      ajv.getSchema('https://smx.invalid/schema/result.schema.json') ??
      ajv.compile(load('result.schema.json')),
  };
}

/** Validate against the published JSON Schema; returns the ajv errors as text ('' when valid). */
export function schemaErrors(which: 'config' | 'result', value: unknown): string {
  const v = compiled()[which];
  return v(value) ? '' : JSON.stringify(v.errors?.slice(0, 5));
}

/** Run the CLI in-process on the shared test device; capture stdout, stderr and files written. */
export async function cli(argv: string[], extra: Partial<CliIO> = {}) {
  let stdout = '';
  let stderr = '';
  const files = new Map<string, string>();
  const io: CliIO = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    tty: false,
    readFile: async (p) => {
      if (files.has(p)) return new TextEncoder().encode(files.get(p));
      return new Uint8Array(readFileSync(p));
    },
    writeFile: async (p, t) => {
      files.set(p, t);
    },
    gpu: await getGpu(),
    ...extra,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, files };
}

/** The result without what may differ between two identical runs: ids, dates, env, timings. */
export function figures(result: ExperimentResult): unknown {
  const def = getExperiment(result.kind);
  const timing = new Set(def.timingFields);
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => !timing.has(k))
          .map(([k, x]) => [k, strip(x)]),
      );
    return v;
  };
  const series = Object.fromEntries(
    Object.entries(result.series).filter(([name]) => !def.timingSeries.some((p) => name.startsWith(p))),
  );
  return strip({
    status: result.status,
    config: result.config,
    summary: result.summary,
    series,
    artifacts: result.artifacts,
  });
}
