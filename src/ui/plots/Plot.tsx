/**
 * A Plotly chart. Plotly (≈4.8 MB) is loaded on first use, after the page is interactive; updates
 * go through Plotly.react (diffing), and the chart is purged on unmount.
 */
import type { Config, Data, Layout } from 'plotly.js-dist-min';
import { useEffect, useRef, useState } from 'react';

type PlotlyModule = typeof import('plotly.js-dist-min');
let plotly: Promise<PlotlyModule> | null = null;
const loadPlotly = () => {
  plotly ??= import('plotly.js-dist-min').then(
    (m) => (m as unknown as { default?: PlotlyModule }).default ?? m,
  );
  return plotly;
};

const CONFIG: Partial<Config> = { responsive: true, displaylogo: false, displayModeBar: false };

export interface PlotProps {
  data: Data[];
  layout: Partial<Layout>;
  /** Accessible description of what the chart shows. */
  label: string;
  testId?: string;
  height?: number;
}

export function Plot({ data, layout, label, testId, height = 320 }: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    loadPlotly()
      .then((P) => {
        if (!cancelled && ref.current) return P.react(ref.current, data, { height, ...layout }, CONFIG);
      })
      .catch((e: unknown) => setError(`The chart could not be drawn: ${(e as Error).message}`));
    return () => {
      cancelled = true;
    };
  }, [data, layout, height]);

  useEffect(() => {
    const el = ref.current;
    return () => {
      if (el) void loadPlotly().then((P) => P.purge(el));
    };
  }, []);

  return (
    <figure className="plot" data-testid={testId} aria-label={label}>
      {error ? <p className="muted">{error}</p> : <div ref={ref} style={{ minHeight: height }} />}
    </figure>
  );
}
