/** Shared pieces of the result panels: themed layout, heatmaps, number formatting. */
import type { Data, Layout } from 'plotly.js-dist-min';
import { type ReactNode, useMemo } from 'react';
import { describeConfig, staleness } from '../describe';
import { usePlayground } from '../playground';
import { chartTitle, heatmapGeometry } from '../plots/conventions';
import { Plot } from '../plots/Plot';
import { plotColors, themedLayout, usePrefersDark } from '../plots/theme';
import type { ResultView } from '../results';

export interface PanelProps {
  view: ResultView;
  /** A run from history to overlay (dashed), if any. */
  compare: ResultView | null;
}

/**
 * Every result panel's frame: its heading with the run's status, one line saying what ran (never
 * a preset's title on an edited config), and, when the controls have moved on since, a note that
 * the result is out of date with what it ran with.
 */
export function ResultFrame({
  title,
  kind,
  view,
  children,
}: {
  title: string;
  kind: string;
  view: ResultView;
  children: ReactNode;
}) {
  const config = usePlayground((s) => s.config);
  const dropped = usePlayground((s) => s.dropped);
  const running = usePlayground((s) => s.run?.status === 'running');
  const matrix = view.config.matrix as { name?: string } | undefined;
  const ran = (view.summary as { matrix?: { rows: number; cols: number } } | null)?.matrix;
  const shape = ran ?? (dropped && matrix?.name === dropped.name ? dropped : null);
  const stale = config && view.status !== 'running' ? staleness(view.config, config) : [];
  const id = `${kind}-title`;
  return (
    <section
      className={stale.length ? 'panel result-panel stale' : 'panel result-panel'}
      aria-labelledby={id}
      data-testid={`panel-${kind}`}
      data-stale={stale.length ? 'yes' : 'no'}
    >
      <h2 id={id}>
        {title} {view.status === 'running' ? '(running…)' : `(${view.status})`}
      </h2>
      <p className="muted small" data-testid="result-what">
        {describeConfig(view.config, shape)}
      </p>
      {stale.length ? (
        <p className="banner-inline" role="status" data-testid="stale-note">
          Out of date: this result ran with {stale.join('; ')}.{' '}
          {running ? 'A new run is under way.' : 'Press Run to update it.'}
        </p>
      ) : null}
      {children}
    </section>
  );
}

export function useLayout(layout: Partial<Layout>): Partial<Layout> {
  const dark = usePrefersDark();
  // The legend's place and the title's wrapping are set where the chart is drawn (Plot → fitLayout).
  // biome-ignore lint/correctness/useExhaustiveDependencies: layout is built fresh by callers; key by its JSON
  return useMemo(() => themedLayout(plotColors(dark), layout), [dark, JSON.stringify(layout)]);
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
  /** The matrix the cells summarise (block means when smaller than it); default: the cells. */
  matrix?: { rows: number; cols: number };
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
  matrix,
}: HeatmapProps) {
  const m = matrix ?? { rows, cols };
  const g = heatmapGeometry(m, { rows, cols });
  const blocks = m.rows !== rows || m.cols !== cols;
  // Hover names the matrix rows / columns a cell covers: at full resolution straight from the
  // axes; for block means from a text grid built once per shape, not on every new set of values
  // (live redraws stay cheap).
  const text = useMemo(() => {
    if (!blocks) return null;
    const span = (k: number, n: number, of: number) => {
      const a = Math.ceil((k * of) / n);
      const b = Math.ceil(((k + 1) * of) / n) - 1;
      return a === b ? `${a}` : `${a}–${b}`;
    };
    return Array.from({ length: rows }, (_, i) =>
      Array.from({ length: cols }, (_, j) => `rows ${span(i, rows, m.rows)}, cols ${span(j, cols, m.cols)}`),
    );
  }, [blocks, rows, cols, m.rows, m.cols]);
  const data = useMemo<Data[]>(() => {
    const z: number[][] = [];
    for (let i = 0; i < rows; i++) z.push(values.slice(i * cols, (i + 1) * cols));
    return [
      {
        type: 'heatmap',
        z,
        x0: g.x0,
        dx: g.dx,
        y0: g.y0,
        dy: g.dy,
        zmin,
        zmax,
        ...(text ? { text } : {}),
        colorscale: sequential ? 'Viridis' : 'RdBu',
        reversescale: !sequential,
        colorbar: { thickness: 12 },
        hovertemplate: text
          ? '%{text} (mean): %{z:.4g}<extra></extra>'
          : 'row %{y}, col %{x}: %{z:.4g}<extra></extra>',
      } as Data,
    ];
  }, [rows, cols, values, zmin, zmax, sequential, text, g.x0, g.dx, g.y0, g.dy]);
  const layout = useLayout({
    title: chartTitle(title),
    xaxis: g.xaxis,
    yaxis: g.yaxis,
    margin: { l: 48, r: 8, t: 36, b: 40 },
  });
  return (
    <Plot
      data={data}
      layout={layout}
      label={title}
      testId={testId}
      height={Math.round(Math.min(420, Math.max(260, (300 * m.rows) / m.cols)))}
      revision={revision}
      fileName={title}
    />
  );
}
