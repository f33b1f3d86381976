// Writes public/schema/*.json from the zod schemas (scripts/gen-schemas.ts, loaded through Vite).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runnerImport } from 'vite';

const root = resolve(import.meta.dirname, '..');
const { module } = await runnerImport(resolve(root, 'scripts/gen-schemas.ts'), { root, logLevel: 'warn' });
const files = module.buildSchemas();
for (const [key, path] of Object.entries(module.SCHEMA_FILES)) {
  writeFileSync(resolve(root, path), files[key]);
  console.log(`wrote ${path} (${files[key].length} bytes)`);
}
