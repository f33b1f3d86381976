/**
 * Plotly, loaded once for every chart: when the first chart mounts, or earlier, once the worker has
 * its device and the first live request is out (experiment-client.ts). Its first evaluation is one
 * long task on the main thread (about a second on SwiftShader here), and while it runs the page
 * neither takes input nor passes messages to a worker that is still starting (Chromium does that
 * from the page's main thread), so it must not start before those. index.html preloads the chunk
 * (vite.config.ts), so that only the evaluation is left for then.
 */
import { markOnce } from '../perf';

type PlotlyModule = typeof import('plotly.js-dist-min');
let plotly: Promise<PlotlyModule> | null = null;

export function loadPlotly(): Promise<PlotlyModule> {
  plotly ??= import('plotly.js-dist-min').then((m) => {
    markOnce('plotly-loaded');
    return (m as unknown as { default?: PlotlyModule }).default ?? m;
  });
  return plotly;
}
