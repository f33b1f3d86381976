import type { Data } from 'plotly.js-dist-min';
import { useMemo, useRef } from 'react';
import { usePlayground } from '../playground';
import { AXIS, chartTitle, familyColour, linearAxis, logAxis, REFERENCE } from '../plots/conventions';
import { Plot } from '../plots/Plot';
import { fmt, Heatmap, useLayout } from './common';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** The same numbers as last time keep their identity, so an unchanged chart is not redrawn. */
function useStable(values: number[] | undefined): number[] | undefined {
  const last = useRef<number[] | undefined>(undefined);
  const prev = last.current;
  if (values && prev && prev.length === values.length && values.every((v, i) => v === prev[i])) return prev;
  last.current = values;
  return values;
}

/** Title suffix when the cells are block means of a larger matrix: "(4 × 4 block means)". */
export function blockNote(matrix: { rows: number; cols: number }, cells: { rows: number; cols: number }) {
  if (matrix.rows === cells.rows && matrix.cols === cells.cols) return '';
  const side = (n: number, k: number) => (n % k === 0 ? String(n / k) : `≈${Number((n / k).toPrecision(2))}`);
  return ` (${side(matrix.rows, cells.rows)} × ${side(matrix.cols, cells.cols)} block means)`;
}

/** Recomputed while a slider moves: errors of every method, spectrum with the kept rank, heatmaps. */
export function LivePanel() {
  const live = usePlayground((s) => s.live);
  const isApproximation = usePlayground((s) => s.config?.kind === 'approximation');
  const focus = usePlayground((s) => s.focus);
  const r = live.result;
  // The figures show the answer's own request: a move of the controls redraws nothing until its
  // answer is here (one redraw per move, not two).
  const fspec = live.shownSpec;
  const rank = fspec && 'rank' in fspec ? Number(fspec.rank) : null;
  const kept = familyColour(fspec?.family ?? 'lowrank');
  // W's heatmap stays as it is while only a method's slider moves.
  const wValues = useStable(r?.heatmaps?.W.values);
  // W and Ŵ share one symmetric colour range (W's): a colour means the same value in both, and the
  // colour bar stays put while the slider moves.
  const wMax = useMemo(() => (wValues ?? []).reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1, [wValues]);
  const spectrum = useMemo<Data[]>(
    () =>
      r
        ? [
            {
              x: r.spectrum.map((_, i) => i + 1),
              y: r.spectrum.map((x) => Math.max(x, 1e-12)),
              name: 'σ(W)',
              mode: 'lines+markers',
              line: { color: REFERENCE.W.colour },
              marker: {
                size: 5,
                color: r.spectrum.map((_, i) => (rank !== null && i < rank ? kept : REFERENCE.W.colour)),
              },
              hovertemplate: 'σ_%{x} = %{y:.6g}<extra></extra>',
            } as Data,
          ]
        : [],
    [r, rank, kept],
  );
  const layout = useLayout({
    title: chartTitle(rank !== null ? `Singular values of W (kept: first ${rank})` : 'Singular values of W'),
    yaxis: logAxis(
      AXIS.singularValue,
      (r?.spectrum ?? []).map((x) => Math.max(x, 1e-12)),
    ),
    xaxis: linearAxis(AXIS.index),
    showlegend: false,
    shapes:
      rank !== null
        ? [
            {
              type: 'line',
              x0: rank + 0.5,
              x1: rank + 0.5,
              yref: 'paper',
              y0: 0,
              y1: 1,
              line: { color: kept, dash: 'dot', width: 2 },
            },
          ]
        : [],
  });
  if (!isApproximation) return null;
  const lat = live.latencies;
  return (
    <section
      className="panel live-panel"
      aria-labelledby="live-title"
      data-testid="panel-live"
      data-live-shown={live.shown}
    >
      <h2 id="live-title">Live (recomputed as you drag)</h2>
      {live.off ? (
        <p className="banner-inline" role="status" data-testid="live-off">
          {live.off}
        </p>
      ) : null}
      {live.error ? (
        <p className="banner-inline" data-testid="live-error">
          {live.error}
        </p>
      ) : null}
      {r ? (
        <>
          <p className="muted small">
            {r.name}: {r.rows} × {r.cols} · engine {fmt(r.ms, 3)} ms
            {lat.length
              ? ` · round trip p50 ${fmt(percentile(lat, 50), 3)} ms, p95 ${fmt(percentile(lat, 95), 3)} ms over ${lat.length}`
              : ''}
          </p>
          <table className="result-table">
            <thead>
              <tr>
                <th>method</th>
                <th>params</th>
                <th>rel. Frobenius error</th>
              </tr>
            </thead>
            <tbody>
              {r.methods.map((m, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: methods are positional in the config
                <tr key={`${m.family}-${i}`} className={i === focus ? 'focused' : undefined}>
                  <td>
                    <span
                      className="swatch"
                      style={{ background: familyColour(m.family) }}
                      aria-hidden="true"
                    />{' '}
                    {m.label}
                  </td>
                  <td>{Number.isNaN(m.params) ? '—' : m.params}</td>
                  <td data-testid={`live-error-${i}`}>{m.error ? m.error : fmt(m.relFrobError, 6)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="plot-grid">
            <Plot
              data={spectrum}
              layout={layout}
              label="Singular values of W with the kept rank marked"
              testId="live-spectrum"
              revision={live.shown}
              height={260}
            />
            {r.heatmaps ? (
              <>
                <Heatmap
                  title={`W${blockNote(r, r.heatmaps.W)}`}
                  {...r.heatmaps.W}
                  values={wValues ?? r.heatmaps.W.values}
                  zmin={-wMax}
                  zmax={wMax}
                  matrix={r}
                  testId="live-heat-W"
                  revision={live.shown}
                />
                <Heatmap
                  title={`Ŵ: ${r.methods[Math.min(focus, r.methods.length - 1)]?.label ?? 'approximation'}${blockNote(r, r.heatmaps.approx)}`}
                  {...r.heatmaps.approx}
                  zmin={-wMax}
                  zmax={wMax}
                  matrix={r}
                  testId="live-heat-approx"
                  revision={live.shown}
                />
                <Heatmap
                  title={`|W − Ŵ|${blockNote(r, r.heatmaps.diff)}`}
                  sequential
                  {...r.heatmaps.diff}
                  matrix={r}
                  testId="live-heat-diff"
                  revision={live.shown}
                />
              </>
            ) : null}
          </div>
        </>
      ) : live.off ? null : (
        <p className="muted small">Computing…</p>
      )}
    </section>
  );
}
