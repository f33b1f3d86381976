/** Shared pieces of the result panels: themed layout, heatmaps, number formatting. */
import type { Data, Layout } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import { Plot } from '../plots/Plot';
import { plotColors, themedLayout, usePrefersDark } from '../plots/theme';
import type { ResultView } from '../results';

export interface PanelProps {
  view: ResultView;
  /** A run from history to overlay (dashed), if any. */
  compare: ResultView | null;
}

export function useLayout(layout: Partial<Layout>): Partial<Layout> {
  const dark = usePrefersDark();
  // biome-ignore lint/correctness/useExhaustiveDependencies: layout is built fresh by callers; key by its JSON
  return useMemo(
    () =>
      themedLayout(plotColors(dark), {
        legend: { orientation: 'h', yanchor: 'top', y: -0.3, x: 0, font: { size: 10 } },
        ...layout,
      }),
    [dark, JSON.stringify(layout)],
  );
}

export function fmt(x: unknown, digits = 4): string {
  if (typeof x !== 'number') return '—';
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

export interface HeatmapProps {
  title: string;
  rows: number;
  cols: number;
  values: number[];
  testId?: string;
  revision?: string | number;
  zmin?: number;
  zmax?: number;
  /** Sequential colours for non-negative data (|W − Ŵ|), diverging otherwise. */
  sequential?: boolean;
}

export function Heatmap({
  title,
  rows,
  cols,
  values,
  testId,
  revision,
  zmin,
  zmax,
  sequential,
}: HeatmapProps) {
  const data = useMemo<Data[]>(() => {
    const z: number[][] = [];
    for (let i = 0; i < rows; i++) z.push(values.slice(i * cols, (i + 1) * cols));
    return [
      {
        type: 'heatmap',
        z,
        zmin,
        zmax,
        colorscale: sequential ? 'Viridis' : 'RdBu',
        reversescale: !sequential,
        hovertemplate: 'row %{y}, col %{x}: %{z:.4g}<extra></extra>',
      } as Data,
    ];
  }, [rows, cols, values, zmin, zmax, sequential]);
  const layout = useLayout({
    title: { text: title },
    yaxis: { autorange: 'reversed', scaleanchor: 'x' },
    margin: { l: 36, r: 8, t: 32, b: 28 },
  });
  return (
    <Plot
      data={data}
      layout={layout}
      label={title}
      testId={testId}
      height={260}
      revision={revision}
      fileName={title}
    />
  );
}
