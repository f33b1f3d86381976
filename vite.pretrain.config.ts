import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** `npm run pretrain` as one Node ESM bundle (like vite.cli.config.ts: webgpu-utils bundled after the shim). */
export default defineConfig({
  logLevel: 'warn',
  ssr: { noExternal: ['webgpu-utils'] },
  build: {
    ssr: resolve(import.meta.dirname, 'src/runtime/pretrain-main.ts'),
    outDir: resolve(import.meta.dirname, 'dist-pretrain'),
    emptyOutDir: true,
    target: 'node20',
    rollupOptions: { output: { entryFileNames: 'pretrain.mjs' } },
  },
});
