import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** The benchmark page (bench/index.html) → dist-bench/, driven by `npm run bench`. */
export default defineConfig({
  // The shipped base weights come in as `?inline` data: URLs (src/nn/shipped.ts).
  assetsInclude: ['**/*.safetensors'],
  root: resolve(import.meta.dirname, 'bench'),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: resolve(import.meta.dirname, 'dist-bench'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
});
