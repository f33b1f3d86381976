/**
 * The main-thread UI bundle must not pull in the engine (DESIGN.md layering): walking the value
 * imports from src/main.tsx may reach only the UI, the experiment contract's GPU-free halves
 * (*.schema.ts, envelope, parseConfig) and the families' GPU-free metadata (*.spec.ts). The engine
 * (src/gpu, src/tensor, src/linalg, src/reference, family implementations, run(), shaders) runs in
 * the worker, which the UI reaches only through `new Worker(new URL(...))` and messages.
 *
 * `import type` / `export type` are erased and not followed; `import { type A }` is (under
 * verbatimModuleSyntax it stays a side-effect import), and so is a dynamic import().
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

/** What the main thread may load, as repository paths. Everything else under src/ or shaders/ is engine. */
const ALLOWED: RegExp[] = [
  /^src\/main\.tsx$/,
  /^src\/ui\//,
  /^src\/.*[./]schema\.ts$/, // <name>.schema.ts and schema.ts files: zod only
  /^src\/experiments\/(envelope|kind-schemas)\.ts$/,
  /^src\/structured\/(specs|types|[\w-]+\.spec)\.ts$/,
  // the .npy / safetensors codecs are GPU-free parsers: the page reads a dropped file's shape with them
  /^src\/data\/(images|types|corpus-names|npy|safetensors)\.ts$/,
  /^src\/runtime\/(family-info|live-protocol)\.ts$/,
  /^src\/.*\.json$/, // data (a bundled sample)
];

const IMPORT_RE =
  /^(?:import|export)\s+(type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?'([^']+)'|import\(\s*'([^']+)'\s*\)/gm;

/** Value-import specifiers of a TS/TSX source (type-only imports left out). */
function valueImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) {
    if (m[1]) continue; // import type … / export type …
    out.push(m[2] ?? m[3]);
  }
  return out;
}

function resolveLocal(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null; // a package
  const bare = resolve(dirname(from), spec.replace(/\?.*$/, ''));
  for (const c of [bare, `${bare}.ts`, `${bare}.tsx`, `${bare}/index.ts`])
    if (existsSync(c) && statSync(c).isFile()) return c;
  throw new Error(`${relative(ROOT, from)}: cannot resolve '${spec}'`);
}

/** Every repository file reachable from `entry` by value imports, with the chain that reached it. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift() as string;
    if (!/\.tsx?$/.test(file)) continue; // .wgsl, .css, .json: leaves
    for (const spec of valueImports(readFileSync(file, 'utf8'))) {
      const dep = resolveLocal(file, spec);
      if (!dep || seen.has(dep)) continue;
      seen.set(dep, [...(seen.get(file) as string[]), dep]);
      queue.push(dep);
    }
  }
  return seen;
}

const rel = (p: string) => relative(ROOT, p).split('\\').join('/');

describe('main-thread bundle boundary', () => {
  it('the import scanner sees value imports and skips type-only ones', () => {
    const src = [
      "import type { A } from './a';",
      "import { type B, c } from './b';",
      "import d from './d';",
      "import './e.css';",
      "export { f } from './f';",
      "export type { G } from './g';",
      'import {',
      '  h,',
      '  i,',
      "} from './hi';",
      "const j = await import('./j');",
      " * import x from './not-code';",
    ].join('\n');
    expect(valueImports(src)).toEqual(['./b', './d', './e.css', './f', './hi', './j']);
  });

  it('the walk follows imports: from the worker it reaches the GPU layer and the shaders', () => {
    const files = [...reachable(resolve(ROOT, 'src/runtime/worker.ts')).keys()].map(rel);
    expect(files).toContain('src/gpu/device.ts');
    expect(files).toContain('src/structured/monarch.ts');
    expect(files.some((f) => f.startsWith('shaders/'))).toBe(true);
  });

  it('from src/main.tsx it reaches no engine code', () => {
    const files = reachable(resolve(ROOT, 'src/main.tsx'));
    expect(files.size).toBeGreaterThan(20); // the UI itself was walked
    const engine = [...files.entries()]
      .filter(([f]) => /^(src|shaders)\//.test(rel(f)) && !ALLOWED.some((a) => a.test(rel(f))))
      .map(([, chain]) => chain.map(rel).join(' → '));
    expect(engine, 'engine modules in the main-thread bundle (import chain shown)').toEqual([]);
  });
});
