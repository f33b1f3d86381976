import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { SpectrumSummary } from '../../experiments/spectrum';
import { Plot } from '../plots/Plot';
import { colourOf } from '../results';
import { fmt, type PanelProps, useLayout } from './common';

export function SpectrumPanel({ view, compare }: PanelProps) {
  const entries = ((view.summary as SpectrumSummary | null)?.entries ?? []) as SpectrumSummary['entries'];
  const toeplitz = useMemo<Data[]>(() => {
    const out: Data[] = [];
    for (const [name, a] of Object.entries(view.artifacts)) {
      if (!name.startsWith('eigenvalues/') || a.type !== 'vector') continue;
      const label = name.slice('eigenvalues/'.length);
      const sym = view.artifacts[`symbol/${label}`];
      const x = a.values.map((_, i) => i + 1);
      out.push({
        x,
        y: a.values,
        name: `eigenvalues ${label}`,
        mode: 'markers',
        marker: { color: colourOf('toeplitz') },
        hovertemplate: 'λ_%{x} = %{y:.6g}<extra></extra>',
      } as Data);
      if (sym?.type === 'vector')
        out.push({
          x: sym.values.map((_, i) => i + 1),
          y: sym.values,
          name: `symbol f(jπ/(n+1)) ${label}`,
          mode: 'lines',
          line: { color: colourOf('W') },
          hovertemplate: 'f_%{x} = %{y:.6g}<extra></extra>',
        } as Data);
    }
    return out;
  }, [view]);
  const singular = useMemo<Data[]>(() => {
    const out: Data[] = [];
    const add = (v: PanelProps['view'], dash: boolean) => {
      for (const [name, a] of Object.entries(v.artifacts)) {
        if (!name.startsWith('singularValues/') || a.type !== 'vector') continue;
        const label = name.slice('singularValues/'.length);
        const fam = label.split(/[ (/]/)[0].toLowerCase();
        out.push({
          x: a.values.map((_, i) => i + 1),
          y: a.values.map((s) => Math.max(s, 1e-12)),
          name: dash ? `${label} (compared)` : label,
          mode: 'lines',
          line: { color: colourOf(label.includes('/') ? label : fam), dash: dash ? 'dash' : 'solid' },
          hovertemplate: `σ_%{x} = %{y:.6g}<extra>${label}</extra>`,
        } as Data);
      }
    };
    add(view, false);
    if (compare) add(compare, true);
    return out;
  }, [view, compare]);
  const norms = useMemo<Data[]>(
    () =>
      Object.entries(view.series)
        .filter(([n]) => n.startsWith('norm/'))
        .map(
          ([n, pts]) =>
            ({
              x: pts.map((p) => p.step),
              y: pts.map((p) => p.value),
              name: n.slice(5),
              mode: 'lines',
              line: { color: colourOf(n) },
              hovertemplate: `k = %{x}: ‖x_k‖ = %{y:.6g}<extra>${n.slice(5)}</extra>`,
            }) as Data,
        ),
    [view],
  );
  const tl = useLayout({
    title: { text: 'Toeplitz eigenvalues vs the symbol' },
    xaxis: { title: { text: 'j' } },
  });
  const sl = useLayout({
    title: { text: 'Singular values' },
    yaxis: { type: 'log' },
    xaxis: { title: { text: 'index' } },
  });
  const nl = useLayout({
    title: { text: '‖x_k‖ under x ← W x' },
    yaxis: { type: 'log' },
    xaxis: { title: { text: 'k' } },
  });
  return (
    <section className="panel result-panel" aria-labelledby="spectrum-title" data-testid="panel-spectrum">
      <h2 id="spectrum-title">Spectra {view.status === 'running' ? '(running…)' : `(${view.status})`}</h2>
      <table className="result-table">
        <thead>
          <tr>
            <th>entry</th>
            <th>n</th>
            <th>max</th>
            <th>min</th>
            <th>condition</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.label} data-testid="spectrum-row">
              <td>{e.label}</td>
              <td>{e.n}</td>
              <td>{fmt(e.max)}</td>
              <td>{fmt(e.min)}</td>
              <td>{fmt(e.condition)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="plot-grid">
        {toeplitz.length ? (
          <Plot
            data={toeplitz}
            layout={tl}
            height={420}
            label="Toeplitz eigenvalues against symbol samples"
            testId="plot-toeplitz"
          />
        ) : null}
        {singular.length ? (
          <Plot
            data={singular}
            layout={sl}
            height={420}
            label="Singular values, log scale"
            testId="plot-singular"
          />
        ) : null}
        {norms.length ? (
          <Plot
            data={norms}
            layout={nl}
            height={420}
            label="Norm growth under repeated multiplication"
            testId="plot-norms"
          />
        ) : null}
      </div>
    </section>
  );
}
