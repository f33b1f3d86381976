import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { BindingSummary } from '../../experiments/binding.schema';
import { BINDING_STYLES, COMPARED, chartTitle, linearAxis, logAxis } from '../plots/conventions';
import { Plot } from '../plots/Plot';
import type { ResultView } from '../results';
import { fmt, type PanelProps, useLayout } from './common';

const TYPES = ['orthogonal', 'hadamard', 'gaussian'];

function normTraces(view: ResultView, compared: boolean): Data[] {
  const out: Data[] = [];
  for (const t of TYPES) {
    const mean = view.series[`norm/${t}`];
    if (!mean?.length) continue;
    const st = BINDING_STYLES[t];
    const lo = view.series[`normMin/${t}`] ?? [];
    const hi = view.series[`normMax/${t}`] ?? [];
    const name = compared ? `${st.name}${COMPARED.suffix}` : st.name;
    if (!compared && lo.length && hi.length)
      out.push({
        x: [...hi.map((p) => p.step), ...lo.map((p) => p.step).reverse()],
        y: [...hi.map((p) => p.value), ...lo.map((p) => p.value).reverse()],
        fill: 'toself',
        fillcolor: st.colour,
        opacity: 0.15,
        line: { width: 0 },
        hoverinfo: 'skip',
        name: `${st.name}: min–max over trials`,
        legendgroup: t,
        showlegend: false,
      } as Data);
    out.push({
      x: mean.map((p) => p.step),
      y: mean.map((p) => p.value),
      name,
      legendgroup: t,
      mode: 'lines',
      line: { color: st.colour, dash: compared ? COMPARED.dash : st.dash, width: 2 },
      hovertemplate: `depth %{x}: mean ‖x‖ = %{y:.6g}<extra>${st.name}</extra>`,
    } as Data);
  }
  return out;
}

function accuracyTraces(view: ResultView, compared: boolean): Data[] {
  const out: Data[] = [];
  for (const t of TYPES) {
    const pts = view.series[`accuracy/${t}`];
    if (!pts?.length) continue;
    const st = BINDING_STYLES[t];
    out.push({
      x: pts.map((p) => p.step),
      y: pts.map((p) => p.value),
      name: compared ? `${st.name}${COMPARED.suffix}` : st.name,
      mode: 'lines+markers',
      line: { color: st.colour, dash: compared ? COMPARED.dash : st.dash, width: 2 },
      opacity: compared ? COMPARED.opacity : 1,
      hovertemplate: `wrap depth %{x}: accuracy %{y:.3f}<extra>${st.name}</extra>`,
    } as Data);
  }
  return out;
}

export function BindingPanel({ view, compare }: PanelProps) {
  const summary = view.summary as BindingSummary | null;
  const norms = useMemo(
    () => [...normTraces(view, false), ...(compare ? normTraces(compare, true) : [])],
    [view, compare],
  );
  const acc = useMemo(
    () => [...accuracyTraces(view, false), ...(compare ? accuracyTraces(compare, true) : [])],
    [view, compare],
  );
  const nl = useLayout({
    title: chartTitle('‖x‖ after binding ℓ levels deep (‖x₀‖ = 1; band: min–max over trials)'),
    xaxis: linearAxis('nesting depth ℓ (bindings applied)'),
    yaxis: logAxis(
      '‖x_ℓ‖ (unitless)',
      norms.flatMap((t) => (t as { y: number[] }).y),
    ),
  });
  const al = useLayout({
    title: chartTitle('Nearest-neighbour retrieval of perturbed records'),
    xaxis: linearAxis('records wrapped this many extra levels'),
    yaxis: linearAxis('accuracy (fraction retrieved)', { range: [0, 1.05] }),
  });
  const rows = summary?.bindings ?? [];
  return (
    <section className="panel result-panel" aria-labelledby="binding-title" data-testid="panel-binding">
      <h2 id="binding-title">MBAT binding {view.status === 'running' ? '(running…)' : `(${view.status})`}</h2>
      <p className="hint" data-testid="binding-reading">
        {summary
          ? `${summary.records} records (${summary.source}), D = ${summary.dim}, nested ${summary.recordDepth} objects deep. `
          : ''}
        Our reading of MBAT for JSON: an object at level ℓ is B_ℓ·Σ(key atom + value), one random matrix per
        level, arrays are bundles, numbers soft buckets — the paper's exact JSON recipe may differ. Drop a
        JSON array of records on the page to encode your own.
      </p>
      <table className="result-table">
        <thead>
          <tr>
            <th>binding</th>
            <th>accuracy by wrap depth</th>
            <th>mean ‖x‖ at max depth</th>
            <th>min – max</th>
            <th>max |‖x‖ − 1|</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((b) => (
            <tr key={b.binding} data-testid="binding-row">
              <td>{BINDING_STYLES[b.binding]?.name ?? b.binding}</td>
              <td>{b.byDepth.map((d) => `${d.depth}: ${fmt(d.accuracy, 3)}`).join(', ')}</td>
              <td>{fmt(b.normMean)}</td>
              <td>
                {fmt(b.normMin)} – {fmt(b.normMax)}
              </td>
              <td>{fmt(b.maxNormDeviation, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="plot-grid">
        {norms.length ? (
          <Plot
            data={norms}
            layout={nl}
            height={420}
            label="Norm against nesting depth"
            testId="plot-binding-norms"
          />
        ) : null}
        {acc.length ? (
          <Plot
            data={acc}
            layout={al}
            height={420}
            label="Retrieval accuracy per binding"
            testId="plot-binding-accuracy"
          />
        ) : null}
      </div>
    </section>
  );
}
