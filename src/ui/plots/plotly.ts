/**
 * Plotly, loaded once for every chart. The page starts this as soon as the experiment worker has
 * started (App.tsx), so that Plotly's load and first evaluation (seconds on a busy CPU) overlap the
 * worker's first live answer instead of following it.
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
