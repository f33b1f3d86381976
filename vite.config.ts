import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The production build (dist/) is what `npm start` serves and what the browser tests load.
// WGSL comes in as text through `?raw`; the engine runs in module workers.
export default defineConfig({
  base: './',
  plugins: [react()],
  // the shipped base weights (public/models) come in as ?inline data: URLs (src/nn/shipped.ts)
  assetsInclude: ['**/*.safetensors'],
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    // Plotly (~4.6 MB minified) is its own chunk, loaded on demand after the page is interactive.
    chunkSizeWarningLimit: 5000,
  },
  preview: { port: 4873, strictPort: true },
});
