import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { SpeedupSummary } from '../../experiments/speedup';
import { Plot } from '../plots/Plot';
import { colourOf } from '../results';
import { fmt, type PanelProps, useLayout } from './common';

type Kernel = SpeedupSummary['kernels'][number];

export function SpeedupPanel({ view, compare }: PanelProps) {
  const kernels = ((view.summary as SpeedupSummary | null)?.kernels ?? []) as Kernel[];
  const bars = (field: 'speedup' | 'gflops') => {
    const out: Data[] = [];
    const add = (ks: Kernel[], dash: boolean) => {
      const labels = [...new Set(ks.map((k) => k.label))];
      for (const label of labels) {
        const rows = ks.filter((k) => k.label === label);
        out.push({
          type: 'bar',
          x: rows.map((k) => `n=${k.n} b=${k.batch}`),
          y: rows.map((k) => k[field]),
          name: dash ? `${label} (compared)` : label,
          marker: { color: colourOf(rows[0].family), opacity: dash ? 0.45 : 1 },
          hovertemplate: `${label} %{x}: %{y:.4g}${field === 'speedup' ? '×' : ' GFLOP/s'}<extra></extra>`,
        } as Data);
      }
    };
    add(kernels, false);
    if (compare) add(((compare.summary as SpeedupSummary | null)?.kernels ?? []) as Kernel[], true);
    return out;
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: bars reads view and compare
  const speed = useMemo(() => bars('speedup'), [view, compare]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: bars reads view and compare
  const gflops = useMemo(() => bars('gflops'), [view, compare]);
  const l1 = useLayout({
    title: { text: 'Speedup over dense GEMM (denseMs / ms)' },
    barmode: 'group',
    yaxis: { type: 'log' },
  });
  const l2 = useLayout({ title: { text: 'GFLOP/s of the structured apply' }, barmode: 'group' });
  return (
    <section className="panel result-panel" aria-labelledby="speedup-title" data-testid="panel-speedup">
      <h2 id="speedup-title">Speedup {view.status === 'running' ? '(running…)' : `(${view.status})`}</h2>
      <table className="result-table">
        <thead>
          <tr>
            <th>kernel</th>
            <th>n</th>
            <th>batch</th>
            <th>ms</th>
            <th>dense ms</th>
            <th>speedup</th>
            <th>GFLOP/s</th>
          </tr>
        </thead>
        <tbody>
          {kernels.map((k) => (
            <tr key={`${k.label}-${k.n}-${k.batch}`} data-testid="speedup-row">
              <td>
                <span className="swatch" style={{ background: colourOf(k.family) }} aria-hidden="true" />{' '}
                {k.label}
              </td>
              <td>{k.n}</td>
              <td>{k.batch}</td>
              <td>{fmt(k.ms)}</td>
              <td>{fmt(k.denseMs)}</td>
              <td>{fmt(k.speedup, 3)}</td>
              <td>{fmt(k.gflops, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="plot-grid">
        {speed.length ? (
          <Plot
            data={speed}
            layout={l1}
            height={420}
            label="Speedup bars per kernel and size"
            testId="plot-speedup"
          />
        ) : null}
        {gflops.length ? (
          <Plot
            data={gflops}
            layout={l2}
            height={420}
            label="GFLOP/s bars per kernel and size"
            testId="plot-gflops"
          />
        ) : null}
      </div>
    </section>
  );
}
