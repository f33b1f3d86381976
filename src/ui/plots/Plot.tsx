/**
 * A Plotly chart. Plotly is loaded once, on first use (plotly.ts); updates
 * go through Plotly.react (diffing), and the chart is purged on unmount. The modebar offers
 * "Download plot as PNG". After each draw the figure's data-rendered attribute is set to
 * `revision` (tests and the latency probe watch it).
 */
import type { Config, Data, Layout } from 'plotly.js-dist-min';
import { useEffect, useRef, useState } from 'react';
import { markOnce, measureDraw } from '../perf';
import { loadPlotly } from './plotly';

export interface PlotProps {
  data: Data[];
  layout: Partial<Layout>;
  /** Accessible description of what the chart shows. */
  label: string;
  testId?: string;
  height?: number;
  /** Show the modebar (PNG export); off for the small self-check chart. */
  modebar?: boolean;
  /** File name (no extension) for the PNG export. */
  fileName?: string;
  /** Written to data-rendered once this data is on screen. */
  revision?: string | number;
}

export function Plot({
  data,
  layout,
  label,
  testId,
  height = 320,
  modebar = true,
  fileName,
  revision,
}: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const fig = useRef<HTMLElement>(null);
  /** What the chart shows now (a new revision with the same inputs redraws nothing). */
  const drawn = useRef<{
    data: Data[];
    layout: Partial<Layout>;
    height: number;
    modebar: boolean;
    fileName: string | undefined;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const config: Partial<Config> = {
      responsive: true,
      displaylogo: false,
      displayModeBar: modebar ? 'hover' : false,
      modeBarButtonsToRemove: ['select2d', 'lasso2d'],
      toImageButtonOptions: { format: 'png', filename: fileName ?? testId ?? 'plot', scale: 2 },
    };
    loadPlotly()
      .then((P) => {
        if (cancelled || !ref.current) return;
        // Only the revision moved (a live answer that left this chart's figures as they were):
        // nothing to redraw.
        const next = { data, layout, height, modebar, fileName };
        const last = drawn.current;
        if (last && (Object.keys(next) as Array<keyof typeof next>).every((k) => last[k] === next[k])) return;
        const t0 = performance.now();
        return P.react(ref.current, data, { height, ...layout }, config).then(() => {
          drawn.current = next;
          measureDraw(testId ?? 'plot', t0);
        });
      })
      .then(() => {
        if (!cancelled && fig.current) {
          fig.current.dataset.rendered = String(revision ?? 'yes');
          markOnce(`figure:${testId ?? 'plot'}`);
        }
      })
      .catch((e: unknown) => setError(`The chart could not be drawn: ${(e as Error).message}`));
    return () => {
      cancelled = true;
    };
  }, [data, layout, height, modebar, fileName, testId, revision]);

  useEffect(() => {
    const el = ref.current;
    return () => {
      if (el) void loadPlotly().then((P) => P.purge(el));
    };
  }, []);

  return (
    <figure className="plot" data-testid={testId} aria-label={label} ref={fig}>
      {error ? <p className="muted">{error}</p> : <div ref={ref} style={{ minHeight: height }} />}
    </figure>
  );
}
