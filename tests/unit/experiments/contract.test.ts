/**
 * The experiment contract without running experiments: published JSON Schemas up to date, presets
 * valid (one per kind), invalid configs rejected with the field path (also through the CLI: exit
 * 2), and a seeded fuzz of mutated configs: every one a clear InputError or a valid config.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSchemas, SCHEMA_FILES } from '../../../scripts/gen-schemas';
import { sweepSpecs } from '../../../src/experiments/approximation';
import { InputError } from '../../../src/experiments/envelope';
import { KINDS } from '../../../src/experiments/kinds';
import { parseConfig } from '../../../src/experiments/schema';
import { registeredFamilies } from '../../../src/structured/registry';
import { Rng } from '../../../src/tensor/rng';
import { cli, PRESET_DIR, presets, ROOT, schemaErrors } from './helpers';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
// biome-ignore lint/suspicious/noExplicitAny: configs are edited freely in these tests
type AnyConfig = Record<string, any>;
const preset = (kind: string): AnyConfig => {
  const p = presets().find((x) => x.config.kind === kind);
  if (!p) throw new Error(`no preset for ${kind}`);
  return clone(p.config);
};

function invalid(config: unknown): InputError {
  try {
    parseConfig(config);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(config)}`);
}

describe('published JSON Schemas', () => {
  it('public/schema/*.json match the zod schemas (regenerate: node scripts/write-schemas.mjs)', () => {
    const built = buildSchemas();
    for (const [key, path] of Object.entries(SCHEMA_FILES))
      expect(readFileSync(resolve(ROOT, path), 'utf8'), path).toBe(built[key as keyof typeof built]);
  });
});

describe('presets', () => {
  it('there is one preset per kind, and every preset is valid (zod and the JSON Schema)', () => {
    const kinds = presets().map((p) => p.config.kind);
    for (const k of KINDS) expect(kinds, `a preset for ${k.kind} in ${PRESET_DIR}`).toContain(k.kind);
    for (const p of presets()) {
      expect(() => parseConfig(p.config), p.file).not.toThrow();
      expect(schemaErrors('config', p.config), p.file).toBe('');
    }
  });

  it('public/experiments/index.json lists every preset (the playground reads its preset list from it)', () => {
    const index = JSON.parse(readFileSync(resolve(PRESET_DIR, 'index.json'), 'utf8'));
    expect(index.presets).toEqual(
      presets().map((p) => ({ file: p.file, kind: p.config.kind, name: p.config.name ?? '' })),
    );
  });
});

describe('invalid configs name the field', () => {
  it('envelope: not an object, schema, kind', () => {
    expect(invalid([]).message).toMatch(/JSON object/);
    expect(invalid({ ...preset('spectrum'), schema: 'smx/experiment@2' }).path).toBe('schema');
    expect(invalid({ ...preset('spectrum'), kind: 'nope' }).message).toMatch(
      /^kind: unknown kind 'nope'.*approximation/,
    );
    const { schema: _s, ...noSchema } = preset('spectrum');
    expect(invalid(noSchema).path).toBe('schema');
  });

  it('field paths from the schema: methods[1].rank, entries[0].n, sizes[0], unknown keys', () => {
    const a = preset('approximation');
    a.methods = [
      { family: 'lowrank', rank: 2 },
      { family: 'lowrank', rank: 0 },
    ];
    expect(invalid(a).path).toBe('methods[1].rank');
    const s = preset('spectrum');
    s.entries[0].n = 100000;
    expect(invalid(s).path).toBe('entries[0].n');
    const k = preset('speedup');
    k.sizes = ['64'];
    expect(invalid(k).path).toBe('sizes[0]');
    const t = preset('approximation');
    t.methdos = [];
    expect(invalid(t).message).toMatch(/methdos/);
    const seed = preset('approximation');
    seed.seed = -1;
    expect(invalid(seed).path).toBe('seed');
  });

  it('shape checks against the matrix: rank ≤ min(rows, cols), blocks dividing n, unknown family', () => {
    const a = preset('approximation');
    a.methods = [
      { family: 'lowrank', rank: 4 },
      { family: 'lowrank', rank: 65 },
    ];
    const e = invalid(a);
    expect(e.path).toBe('methods[1].rank');
    expect(e.message).toMatch(/^methods\[1\]\.rank: .*64/);
    // An image's shape is known before it is decoded (airplane-from-above at size 64: 45 × 64).
    const img = preset('approximation');
    img.matrix = { source: 'image', image: 'airplane-from-above', size: 64 };
    img.methods = [{ family: 'lowrank', rank: 46 }];
    expect(invalid(img).path).toBe('methods[0].rank');
    img.matrix = { source: 'image', image: 'airplane-from-above', size: 4096 };
    img.methods = [{ family: 'lowrank', rank: 4 }];
    expect(invalid(img).path).toMatch(/^matrix/);
    const k = preset('speedup');
    k.kernels = [{ family: 'monarch', blocks: 7 }];
    const e2 = invalid(k);
    expect(e2.path).toBe('kernels[0].blocks');
    expect(e2.message).toMatch(/n = 64/);
    const u = preset('approximation');
    u.methods = [{ family: 'circulant', rank: 3 }];
    expect(invalid(u).path).toMatch(/^methods\[0\]/);
    const big = preset('approximation');
    big.matrix = { source: 'generate', generator: 'gaussian', rows: 4096, cols: 4096 };
    expect(invalid(big).path).toBe('matrix');
  });

  it('the CLI exits 2 with the path for an invalid config, a bad JSON file, a missing file', async () => {
    const a = preset('approximation');
    a.methods = [
      { family: 'lowrank', rank: 4 },
      { family: 'lowrank', rank: 65 },
    ];
    const files = new Map([
      ['/virtual/bad-rank.json', JSON.stringify(a)],
      ['/virtual/not-json.json', '{"schema": '],
    ]);
    const readFile = async (p: string) => {
      const t = files.get(p);
      if (t === undefined)
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
      return new TextEncoder().encode(t);
    };
    const r1 = await cli(['/virtual/bad-rank.json'], { readFile });
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/methods\[1\]\.rank: /);
    expect(r1.stdout).toBe('');
    const r2 = await cli(['/virtual/not-json.json'], { readFile });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/not valid JSON/);
    const r3 = await cli(['/virtual/missing.json'], { readFile });
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/cannot read config file .*missing\.json/);
    const r4 = await cli([]);
    expect(r4.code).toBe(2);
    const r5 = await cli([resolve(PRESET_DIR, 'spectrum.json'), '--bogus']);
    expect(r5.code).toBe(2);
    expect(r5.stderr).toMatch(/unknown option --bogus/);
  });
});

// ---------------------------------------------------------------------------- fuzz

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every container path in a JSON value (objects and arrays), with the container. */
function containers(
  v: Json,
  path: Array<string | number> = [],
  out: Array<{ path: Array<string | number>; c: Json }> = [],
) {
  if (v && typeof v === 'object') {
    out.push({ path, c: v });
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) containers(v[i], [...path, i], out);
    else for (const [k, x] of Object.entries(v)) containers(x, [...path, k], out);
  }
  return out;
}

const WRONG: Json[] = [
  'x',
  '',
  null,
  true,
  false,
  [],
  {},
  -1,
  0,
  0.5,
  1.5,
  1e9,
  1e300,
  -1e300,
  65536,
  2 ** 40,
  'lowrank',
];

function mutate(config: Json, rng: Rng): Json {
  const c = clone(config);
  const pick = <T>(xs: T[]): T => xs[rng.int(xs.length)];
  const steps = 1 + rng.int(3);
  for (let s = 0; s < steps; s++) {
    const all = containers(c);
    const { c: box } = pick(all);
    const op = rng.int(8);
    if (Array.isArray(box)) {
      if (box.length === 0 || op === 0) box.push(pick(WRONG));
      else if (op < 3) box.splice(rng.int(box.length), 1);
      else box[rng.int(box.length)] = pick(WRONG);
      continue;
    }
    const obj = box as Record<string, Json>;
    const keys = Object.keys(obj);
    if (op === 0 || keys.length === 0)
      obj[pick(['extra', 'rank', 'blocks', 'n', 'family', 'kind'])] = pick(WRONG);
    else if (op === 1) delete obj[pick(keys)];
    else if (op === 2 && 'family' in obj)
      obj.family = pick(['nope', 'monarch', 'lowrank', 'sparse+lowrank', 'kronecker', 7]);
    else if (op === 3) {
      // huge or tiny sizes
      for (const k of ['rows', 'cols', 'n', 'rank', 'blocks', 'steps', 'batch'])
        if (k in obj) obj[k] = pick([1e6, 65536, 4096, 0, -3, 1, 2, 3]);
    } else if (op === 4) obj.kind = pick(['approximation', 'spectrum', 'speedup', 'finetune']);
    else obj[pick(keys)] = pick(WRONG);
  }
  return c;
}

describe('fuzz: mutated configs', () => {
  it('300 seeded mutations of the presets: each a clear InputError or a valid config, fast', () => {
    const rng = new Rng(20261201);
    const bases = presets().map((p) => p.config as Json);
    let errors = 0;
    let valid = 0;
    for (let i = 0; i < 300; i++) {
      const cfg = mutate(bases[i % bases.length], rng);
      let ok = false;
      try {
        parseConfig(cfg);
        ok = true;
      } catch (e) {
        if (!(e instanceof InputError))
          throw new Error(`mutation ${i} crashed with ${(e as Error).stack}\n${JSON.stringify(cfg)}`);
        expect(e.message.length, `mutation ${i}`).toBeGreaterThan(5);
        expect(e.message).not.toMatch(/undefined|\[object Object\]/);
        errors++;
      }
      if (ok) {
        valid++;
        // What zod accepts, the published JSON Schema accepts too.
        expect(schemaErrors('config', cfg), `mutation ${i}: ${JSON.stringify(cfg)}`).toBe('');
      }
    }
    expect(errors).toBeGreaterThan(150);
    expect(valid).toBeGreaterThan(5);
  });

  it('the registry drives the family checks (each family accepts a valid spec, rejects a bad one by field)', () => {
    // One spec per family that is well-formed but wrong for n = 24 (its validate() must say so), and
    // the field it must name. A family registered later fails here until it has an entry.
    const BAD: Record<string, { spec: AnyConfig; field: string }> = {
      lowrank: { spec: { rank: 25 }, field: 'rank' },
      fwsvd: { spec: { rank: 25 }, field: 'rank' },
      orthoproj: { spec: { rank: 25 }, field: 'rank' },
      'sparse+lowrank': { spec: { rank: 25, density: 0.1 }, field: 'rank' },
      blockdiag: { spec: { blocks: 7 }, field: 'blocks' },
      monarch: { spec: { blocks: 7 }, field: 'blocks' },
      kronecker: { spec: { terms: 5 }, field: 'terms' },
      'nm-sparse': { spec: { n: 2, m: 5 }, field: 'm' },
      sparse: { spec: { density: 1.5 }, field: 'density' },
      'dense-sparse': { spec: { rank: 4, n: 2, m: 5 }, field: 'm' },
    };
    expect(registeredFamilies().length).toBeGreaterThan(0);
    for (const f of registeredFamilies()) {
      const cfg = preset('speedup');
      cfg.sizes = [24];
      const good = sweepSpecs(f.name, 24, 24, [0.5])[0]?.spec;
      expect(good, `${f.name}: a valid spec for 24 × 24`).toBeDefined();
      cfg.kernels = [good];
      expect(() => parseConfig(cfg), `${f.name} accepts ${JSON.stringify(good)}`).not.toThrow();
      const bad = BAD[f.name];
      expect(bad, `${f.name}: add a bad spec to this table`).toBeDefined();
      cfg.kernels = [{ family: f.name, ...bad.spec }];
      const e = invalid(cfg);
      expect(e.path, `${f.name} ${JSON.stringify(bad.spec)}: ${e.message}`).toBe(`kernels[0].${bad.field}`);
    }
  });
});
