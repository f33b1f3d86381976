/**
 * Plotly, loaded once for every chart, when the first chart mounts. Loading it earlier (to overlap
 * the worker's first live answer) was tried: its first evaluation is one long task on the main
 * thread (seconds on a busy CPU), and while it runs the page neither takes input nor forwards
 * messages to a worker that is still starting (Chromium does that from the page's main thread),
 * so the first live request itself waited for it.
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
