import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** The experiment CLI as one Node ESM bundle (WGSL ?raw imports inlined), driven by scripts/experiment.sh. */
export default defineConfig({
  logLevel: 'warn',
  // the shipped base weights (public/models) come in as ?inline data: URLs (src/nn/shipped.ts)
  assetsInclude: ['**/*.safetensors'],
  // Bundled, not imported from node_modules: external imports are evaluated before any bundled
  // code, and webgpu-utils needs src/gpu/float16-shim.ts to have run first (Node 20).
  ssr: { noExternal: ['webgpu-utils'] },
  build: {
    ssr: resolve(import.meta.dirname, 'src/runtime/cli-main.ts'),
    outDir: resolve(import.meta.dirname, 'dist-cli'),
    emptyOutDir: true,
    target: 'node20',
    rollupOptions: { output: { entryFileNames: 'experiment.mjs' } },
  },
});
