import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import { type Spec, usePlayground } from '../playground';
import { AXIS, chartTitle, familyColour, linearAxis, logAxis, REFERENCE } from '../plots/conventions';
import { Plot } from '../plots/Plot';
import { fmt, Heatmap, useLayout } from './common';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Recomputed while a slider moves: errors of every method, spectrum with the kept rank, heatmaps. */
export function LivePanel() {
  const live = usePlayground((s) => s.live);
  const config = usePlayground((s) => s.config);
  const focus = usePlayground((s) => s.focus);
  const r = live.result;
  const specs = (config?.methods as Spec[]) ?? [];
  const fspec = specs[Math.min(focus, specs.length - 1)];
  const rank = fspec && 'rank' in fspec ? Number(fspec.rank) : null;
  const kept = familyColour(fspec?.family ?? 'lowrank');
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
  if (config?.kind !== 'approximation') return null;
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
                <Heatmap title="W" {...r.heatmaps.W} matrix={r} testId="live-heat-W" revision={live.shown} />
                <Heatmap
                  title={`Ŵ: ${r.methods[Math.min(focus, r.methods.length - 1)]?.label ?? 'approximation'}`}
                  {...r.heatmaps.approx}
                  matrix={r}
                  testId="live-heat-approx"
                  revision={live.shown}
                />
                <Heatmap
                  title="|W − Ŵ|"
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
