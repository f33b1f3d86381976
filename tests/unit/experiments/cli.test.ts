/**
 * The CLI on a result file (`npm run experiment -- exported-result.json`, in-process main()):
 * it re-runs the result's config and compares the figures with the file's (exit 0 when they agree,
 * 3 when one differs beyond the tolerance, timings never counted), and a run on a dropped file
 * (`source: "bytes"`) says how to point the CLI at the file instead. Invalid input: exit 2 and the
 * message a user reads.
 */
import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../../src/data/npy';
import { getExperiment, kindNames } from '../../../src/experiments/schema';
import { cli, schemaErrors } from './helpers';

// biome-ignore lint/suspicious/noExplicitAny: results are edited field by field
type Any = any;

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v, null, 2));

function smallConfig(): Any {
  return {
    schema: 'smx/experiment@1',
    kind: 'approximation',
    seed: 5,
    matrix: { source: 'file', path: 'w.npy' },
    methods: [
      { family: 'lowrank', rank: 3 },
      { family: 'sparse', density: 0.2 },
    ],
    sweep: { budgets: [0.1, 0.3], families: ['lowrank'] },
    timing: false,
  };
}

/** A virtual folder: files by absolute path; everything else is ENOENT. */
function folder() {
  const rows = 18;
  const cols = 12;
  const data = Float32Array.from({ length: rows * cols }, (_, i) => Math.cos(i * 0.9) + (i % 5) / 5);
  const files = new Map<string, Uint8Array>([['/v/w.npy', writeNpy({ rows, cols, data })]]);
  const readFile = async (p: string) => {
    const b = files.get(p);
    if (!b) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
    return b;
  };
  return { files, readFile };
}

describe('npm run experiment -- result.json', () => {
  it('re-runs the config of a result and compares: agree → 0; a changed figure → 3 naming it; timings ignored', async () => {
    const { files, readFile } = folder();
    files.set('/v/cfg.json', enc(smallConfig()));
    const first = await cli(['/v/cfg.json', '--out', '/v/r1.json', '--quiet'], { readFile });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const result = JSON.parse(first.files.get('/v/r1.json') ?? 'null');
    files.set('/v/r1.json', enc(result));
    // The sweep says which budget got no point, and why (rank 1 already needs 18 + 12 parameters).
    expect(result.summary.skipped).toEqual([
      {
        family: 'lowrank',
        budget: 0.1,
        reason:
          'the smallest lowrank member for 18 × 12, Low rank (r = 1) (30 parameters), is over the budget 0.1 × 18 × 12 = 21 parameters',
      },
    ]);

    const again = await cli(['/v/r1.json', '--out', '/v/r2.json'], { readFile });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('re-running the config of /v/r1.json');
    expect(again.stderr).toMatch(
      /compared \d+ figures with \/v\/r1\.json .*tolerance 0\.0001\): (largest difference .*|every figure identical .*); they agree/,
    );
    const rerun = JSON.parse(again.files.get('/v/r2.json') ?? 'null');
    expect(schemaErrors('result', rerun)).toBe('');
    expect(rerun.summary).toEqual(result.summary);

    // A figure off by 0.01 (an error, so absolute): exit 3, the path and both values named.
    const edited = JSON.parse(JSON.stringify(result));
    edited.summary.methods[1].relFrobError += 0.01;
    edited.series['error/lowrank'][0].value *= 1 + 1e-7; // within the tolerance: not listed
    edited.summary.methods[0].applyMs = 123; // a timing: never compared
    files.set('/v/edited.json', enc(edited));
    const off = await cli(['/v/edited.json', '--quiet'], { readFile });
    expect(off.code).toBe(3);
    expect(off.stderr).toMatch(
      /1 differ beyond the tolerance; largest difference summary\.methods\[1\]\.relFrobError: /,
    );
    expect(off.stderr).toMatch(/\(difference 1\.00e-2\)/);
    expect(off.stderr).not.toMatch(/applyMs|series/);
    expect(JSON.parse(off.stdout).status).toBe('finished'); // the new result is still written

    // --tolerance above the change: agree; --no-compare: no comparison at all.
    expect((await cli(['/v/edited.json', '--quiet', '--tolerance', '0.02'], { readFile })).code).toBe(0);
    const nc = await cli(['/v/edited.json', '--quiet', '--no-compare'], { readFile });
    expect(nc.code).toBe(0);
    expect(nc.stderr).toBe('');
    // Another seed: figures may differ, so no comparison (said so).
    const seeded = await cli(['/v/edited.json', '--quiet', '--seed', '9'], { readFile });
    expect(seeded.code).toBe(0);
    expect(seeded.stderr).toContain('not compared with /v/edited.json: --seed changed the seed');

    // A missing sweep point is a structural difference.
    const fewer = JSON.parse(JSON.stringify(result));
    fewer.summary.sweep.pop();
    files.set('/v/fewer.json', enc(fewer));
    const f = await cli(['/v/fewer.json', '--quiet'], { readFile });
    expect(f.code).toBe(3);
    const n = result.summary.sweep.length;
    expect(f.stderr).toContain(`summary.sweep: a list of ${n - 1} → a list of ${n}`);
  }, 120_000);

  it('a result from a dropped file (source "bytes"): exit 2 saying how to point at the file; --matrix runs it and compares', async () => {
    const { files, readFile } = folder();
    files.set('/v/cfg.json', enc(smallConfig()));
    const first = await cli(['/v/cfg.json', '--out', '/v/r.json', '--quiet'], { readFile });
    expect(first.code).toBe(0);
    // What the browser exports for the same matrix dropped as w.npy.
    const exported = JSON.parse(first.files.get('/v/r.json') ?? 'null');
    exported.config.matrix = { source: 'bytes', name: 'w.npy', format: 'npy' };
    exported.env.runtime = 'browser';
    files.set('/v/exported.json', enc(exported));

    const r = await cli(['/v/exported.json'], { readFile });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error: /v/exported.json: config.matrix: this run used a file dropped in the browser (w.npy); its bytes are not in the JSON. ' +
        'Point the CLI at the file: add --matrix path/to/w.npy, or change config.matrix to ' +
        '{"source": "file", "path": "path/to/w.npy"} (a relative path is read from the JSON file\'s folder).\n',
    );
    const ok = await cli(['/v/exported.json', '--matrix', '/v/w.npy', '--quiet'], { readFile });
    expect(ok.stderr).toMatch(/they agree/);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).config.matrix).toEqual({ source: 'file', path: '/v/w.npy' });
    const missing = await cli(['/v/exported.json', '--matrix', '/v/nope.npy'], { readFile });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/config\.matrix: cannot read the matrix file: ENOENT/);
  }, 120_000);

  it('an invalid config inside a result names the path from the file’s top (config.…); a result without a config says so', async () => {
    const { files, readFile } = folder();
    const bad = {
      schema: 'smx/result@1',
      id: 'x',
      kind: 'approximation',
      status: 'finished',
      config: { ...smallConfig(), methods: [{ family: 'lowrank', rank: 0 }] },
    };
    files.set('/v/bad.json', enc(bad));
    const r = await cli(['/v/bad.json'], { readFile });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: \/v\/bad\.json: config\.methods\[0\]\.rank: /);
    files.set('/v/noconfig.json', enc({ schema: 'smx/result@1', kind: 'approximation' }));
    const n = await cli(['/v/noconfig.json'], { readFile });
    expect(n.code).toBe(2);
    expect(n.stderr).toBe(
      'error: /v/noconfig.json: config: missing; a result file (smx/result@1) holds the config it ran\n',
    );
  });
});

describe('CLI error messages (exit 2, the text a user reads)', () => {
  async function run(text: string) {
    const readFile = async (p: string) => {
      if (p === '/v/c.json') return enc(text);
      throw new Error(`ENOENT: no such file or directory, open '${p}'`);
    };
    const r = await cli(['/v/c.json'], { readFile });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    return r.stderr;
  }
  const config = (patch: Any) =>
    JSON.stringify({
      ...smallConfig(),
      matrix: { source: 'generate', generator: 'gaussian', rows: 16, cols: 16 },
      ...patch,
    });

  it('an unknown key inside a method is named, with the key it probably meant', async () => {
    expect(await run(config({ methods: [{ family: 'lowrank', rnak: 4 }] }))).toBe(
      'error: /v/c.json: methods[0].rnak: unknown key (did you mean "rank"?)\n',
    );
    expect(
      await run(
        config({
          methods: [
            { family: 'lowrank', rank: 4 },
            { family: 'monarch', blocks: 4, colour: 1 },
          ],
        }),
      ),
    ).toBe('error: /v/c.json: methods[1].colour: unknown key (known keys: family, blocks)\n');
    expect(await run(config({ sweep: { budget: [0.1] } }))).toBe(
      'error: /v/c.json: sweep.budget: unknown key (did you mean "budgets"?)\n',
    );
  });

  it('matrix sources are strict: a key the generator does not have is named, not dropped', async () => {
    // monarch / toeplitz generators take n, not rows × cols: silently ignoring rows hid a UI bug.
    expect(
      await run(config({ matrix: { source: 'generate', generator: 'monarch', rows: 32, cols: 32 } })),
    ).toBe(
      'error: /v/c.json: matrix.rows: unknown key (known keys: source, generator, n, blocks)\n' +
        '  matrix.cols: unknown key (known keys: source, generator, n, blocks)\n',
    );
    expect(
      await run(config({ matrix: { source: 'generate', generator: 'gaussian', rows: 16, cosl: 16 } })),
    ).toBe('error: /v/c.json: matrix.cosl: unknown key (did you mean "cols"?)\n');
    expect(await run(config({ matrix: { source: 'image', image: 'airplane-from-above', szie: 32 } }))).toBe(
      'error: /v/c.json: matrix.szie: unknown key (did you mean "size"?)\n',
    );
    // The transformer's architecture too (kinds pretrain / finetune / attention share it).
    const pretrain = { schema: 'smx/experiment@1', kind: 'pretrain', model: { layers: 1, dmodel: 16 } };
    expect(await run(JSON.stringify(pretrain))).toBe(
      'error: /v/c.json: model.dmodel: unknown key (did you mean "dModel"?)\n',
    );
  });

  it('JSON syntax errors give line and column', async () => {
    // The position of the token that broke the syntax (V8's text after the colon varies by version).
    expect(await run('{\n  "schema": "smx/experiment@1"\n  "kind": "approximation"\n}\n')).toMatch(
      /^error: \/v\/c\.json: not valid JSON at line 3, column 3: \S.*\n$/,
    );
    expect(await run('{\n  "schema": "smx/experiment@1",\n')).toMatch(
      /^error: \/v\/c\.json: not valid JSON at line 3, column 1: /,
    );
  });

  it('limits read as shapes', async () => {
    expect(
      await run(config({ matrix: { source: 'generate', generator: 'gaussian', rows: 3000, cols: 3000 } })),
    ).toBe(
      "error: /v/c.json: matrix: 3000 × 3000 is over this experiment's limit of 2048 × 2048 (4,194,304 entries; other shapes up to that many entries, e.g. 1024 × 4096, are fine)\n",
    );
  });
});

describe('fwsvd without importance', () => {
  it('is labelled as equal to low rank, and its figures are low rank’s', async () => {
    const cfg = {
      ...smallConfig(),
      matrix: { source: 'generate', generator: 'gaussian', rows: 16, cols: 12 },
      methods: [
        { family: 'lowrank', rank: 3 },
        { family: 'fwsvd', rank: 3 },
        { family: 'fwsvd', rank: 3, importance: Array.from({ length: 12 }, (_, j) => (j < 4 ? 10 : 0.1)) },
      ],
      sweep: undefined,
    };
    const r = await cli(['/v/c.json', '--quiet'], { readFile: async () => enc(cfg) });
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).summary.methods;
    expect(m.map((x: Any) => x.label)).toEqual([
      'Low rank (r = 3)',
      'FWSVD (r = 3, unweighted = low rank)',
      'FWSVD (r = 3, weighted)',
    ]);
    expect(Math.abs(m[1].relFrobError - m[0].relFrobError)).toBeLessThan(1e-6);
    // Skewed importances trade plain error for the weighted one: worse than Eckart–Young here.
    expect(m[2].relFrobError).toBeGreaterThan(m[0].relFrobError + 1e-4);
  });
});

describe('re-running a result never compares a time', () => {
  // biome-ignore lint/suspicious/noExplicitAny: zod definitions are walked by type
  function keys(schema: any, out = new Set<string>()): Set<string> {
    const def = schema?._zod?.def;
    if (!def) return out;
    if (def.type === 'object') for (const [k, v] of Object.entries(def.shape)) keys(v, out.add(k));
    else if (def.type === 'array') keys(def.element, out);
    else if (def.type === 'union') for (const o of def.options) keys(o, out);
    else if (def.type === 'record') keys(def.valueType, out);
    else if (def.innerType) keys(def.innerType, out);
    return out;
  }
  for (const kind of kindNames())
    it(`${kind}: every summary field that holds a time or a rate is one of its timingFields`, () => {
      const def = getExperiment(kind);
      const timed = [...keys(def.summary)].filter((k) =>
        /^ms(Min|Max)?$|Ms(Min|Max)?$|PerSecond$|^gflops$|^speedup$|^efficiency$/.test(k),
      );
      expect(timed.filter((k) => !def.timingFields.includes(k))).toEqual([]);
    });
});
