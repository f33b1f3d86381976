import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { SketchSummary } from '../../experiments/sketch.schema';
import { COMPARED, chartTitle, logAxis, SKETCH_STYLES } from '../plots/conventions';
import { Plot } from '../plots/Plot';
import type { ResultView } from '../results';
import { fmt, type PanelProps, useLayout } from './common';

type Metric = 'linfRatio' | 'l2Error';
const TYPES = ['gaussian', 'srht', 'countsketch', 'osnap'];

/** One line per sketch type over m (log–log), from series `<metric>/<type>`. */
function traces(view: ResultView, metric: Metric, compared: boolean): Data[] {
  const out: Data[] = [];
  for (const t of TYPES) {
    const pts = view.series[`${metric}/${t}`];
    if (!pts?.length) continue;
    const st = SKETCH_STYLES[t];
    out.push({
      x: pts.map((p) => p.step),
      y: pts.map((p) => Math.max(p.value, 1e-12)),
      name: compared ? `${st.name}${COMPARED.suffix}` : st.name,
      mode: 'lines+markers',
      line: { color: st.colour, dash: compared ? COMPARED.dash : st.dash, width: 2 },
      opacity: compared ? COMPARED.opacity : 1,
      hovertemplate: `m = %{x}: %{y:.4g}<extra>${st.name}</extra>`,
    } as Data);
  }
  return out;
}

export function SketchPanel({ view, compare }: PanelProps) {
  const summary = view.summary as SketchSummary | null;
  const rows = summary?.sketches ?? [];
  const linf = useMemo(
    () => [...traces(view, 'linfRatio', false), ...(compare ? traces(compare, 'linfRatio', true) : [])],
    [view, compare],
  );
  const l2 = useMemo(
    () => [...traces(view, 'l2Error', false), ...(compare ? traces(compare, 'l2Error', true) : [])],
    [view, compare],
  );
  const ms = [...linf, ...l2].flatMap((t) => (t as { x: number[] }).x);
  const ll = useLayout({
    title: chartTitle('ℓ∞ guarantee: measured ε vs m'),
    xaxis: logAxis('sketch rows m (count)', ms),
    yaxis: logAxis(
      'measured ε (ratio, unitless)',
      linf.flatMap((t) => (t as { y: number[] }).y),
    ),
  });
  const l2l = useLayout({
    title: chartTitle('Relative error ‖x′ − x*‖₂ / ‖x*‖₂ vs m'),
    xaxis: logAxis('sketch rows m (count)', ms),
    yaxis: logAxis(
      'relative ℓ2 error (unitless)',
      l2.flatMap((t) => (t as { y: number[] }).y),
    ),
  });
  const p = summary?.problem;
  return (
    <section className="panel result-panel" aria-labelledby="sketch-title" data-testid="panel-sketch">
      <h2 id="sketch-title">
        Sketched least squares {view.status === 'running' ? '(running…)' : `(${view.status})`}
      </h2>
      {p ? (
        <p className="hint" data-testid="sketch-problem">
          A: {p.name}; max leverage {fmt(p.maxLeverage)} (d/n = {fmt(p.d / p.n)}), ‖Ax* − b‖ ={' '}
          {fmt(p.residualNorm)}, ‖A†‖₂ = {fmt(p.pinvNorm)}. Dense sketches solid, sparse dashed; the ℓ∞
          guarantee (measured ε = ‖x′ − x*‖∞·√d / (‖Ax* − b‖·‖A†‖₂)) is proven for dense sketches only.
        </p>
      ) : null}
      <table className="result-table">
        <thead>
          <tr>
            <th>sketch</th>
            <th>m</th>
            <th>rel. ℓ2 error</th>
            <th>ℓ∞ ratio ε (median)</th>
            <th>worst ε</th>
            <th>residual ratio</th>
            <th>ms</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.type}/${r.m}`} data-testid="sketch-row">
              <td>{r.label}</td>
              <td>{r.m}</td>
              <td>{fmt(r.l2Error)}</td>
              <td>{fmt(r.linfRatio)}</td>
              <td>{fmt(r.linfRatioMax)}</td>
              <td>{fmt(r.residualRatio)}</td>
              <td>{fmt(r.ms, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="plot-grid">
        {linf.length ? (
          <Plot data={linf} layout={ll} height={420} label="ℓ∞ ratio against m, log–log" testId="plot-linf" />
        ) : null}
        {l2.length ? (
          <Plot
            data={l2}
            layout={l2l}
            height={420}
            label="Relative ℓ2 error against m, log–log"
            testId="plot-l2"
          />
        ) : null}
      </div>
    </section>
  );
}
