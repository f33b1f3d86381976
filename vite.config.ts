import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// Plotly: the charts use only cartesian traces (scatter, bar, heatmap), so the page loads Plotly's
// cartesian bundle (1.5 MB minified, against 4.6 MB for the full one: seconds less before the
// first live figure on a CPU). The code imports 'plotly.js-dist-min', whose types cover both.
const plotlyAlias: Record<string, string> = { 'plotly.js-dist-min': 'plotly.js-cartesian-dist-min' };

// Plotly's chunk is fetched and compiled while the worker starts (a modulepreload link: off the main
// thread, nothing evaluated); the first chart then only evaluates it.
function preloadPlotly(): Plugin {
  return {
    name: 'smx-preload-plotly',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find(
          (c) => c.type === 'chunk' && c.fileName.includes('plotly'),
        );
        return chunk
          ? [{ tag: 'link', attrs: { rel: 'modulepreload', href: `./${chunk.fileName}` }, injectTo: 'head' }]
          : [];
      },
    },
  };
}

// The production build (dist/) is what `npm start` serves and what the browser tests load.
// WGSL comes in as text through `?raw`; the engine runs in module workers.
export default defineConfig({
  base: './',
  plugins: [react(), preloadPlotly()],
  // the shipped base weights (public/models) come in as ?inline data: URLs (src/nn/shipped.ts)
  assetsInclude: ['**/*.safetensors'],
  resolve: { alias: plotlyAlias },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    // Plotly (1.5 MB minified, cartesian bundle) is its own chunk, loaded when the first chart draws.
    chunkSizeWarningLimit: 5000,
  },
  preview: { port: 4873, strictPort: true },
});
