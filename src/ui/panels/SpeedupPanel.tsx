import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { SpeedupSummary } from '../../experiments/speedup.schema';
import {
  AXIS,
  COMPARED,
  chartTitle,
  familyColour,
  legendOncePerGroup,
  linearAxis,
  logAxis,
  REFERENCE,
} from '../plots/conventions';
import { Plot } from '../plots/Plot';
import { fmt, type PanelProps, ResultFrame, useLayout } from './common';

type Kernel = SpeedupSummary['kernels'][number];

/** The kernel's name without its size ("Monarch (m1 = 8) n=64 b=32" → "Monarch (m1 = 8)"). */
export function kernelName(k: Pick<Kernel, 'label' | 'n' | 'batch'>): string {
  const suffix = ` n=${k.n} b=${k.batch}`;
  return k.label.endsWith(suffix) ? k.label.slice(0, -suffix.length) : k.label;
}

const sizeLabel = (k: Pick<Kernel, 'n' | 'batch'>) => `n = ${k.n}, batch ${k.batch}`;

export function SpeedupPanel({ view, compare }: PanelProps) {
  const kernels = ((view.summary as SpeedupSummary | null)?.kernels ?? []) as Kernel[];
  const bars = (field: 'speedup' | 'gflops') => {
    const out: Data[] = [];
    const add = (ks: Kernel[], dash: boolean) => {
      // One trace (one legend entry, one colour) per kernel; its sizes are the x categories.
      const names = [...new Set(ks.map(kernelName))];
      for (const name of names) {
        const rows = ks.filter((k) => kernelName(k) === name);
        out.push({
          type: 'bar',
          x: rows.map(sizeLabel),
          y: rows.map((k) => k[field]),
          name: dash ? `${name}${COMPARED.suffix}` : name,
          legendgroup: dash ? 'compared' : undefined,
          marker: { color: familyColour(rows[0].family), opacity: dash ? COMPARED.opacity : 1 },
          hovertemplate: `${name}, %{x}: %{y:.4g}${field === 'speedup' ? '×' : ' GFLOP/s'}<extra></extra>`,
        } as Data);
      }
    };
    add(kernels, false);
    if (compare) add(((compare.summary as SpeedupSummary | null)?.kernels ?? []) as Kernel[], true);
    return legendOncePerGroup(out, () => 'compared run (faded)');
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: bars reads view and compare
  const speed = useMemo(() => bars('speedup'), [view, compare]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: bars reads view and compare
  const gflops = useMemo(() => bars('gflops'), [view, compare]);
  const l1 = useLayout({
    title: chartTitle('Speedup over dense GEMM'),
    barmode: 'group',
    xaxis: linearAxis('matrix size n × n, batch rows'),
    yaxis: logAxis(AXIS.speedup, speed.flatMap((t) => (t as { y: number[] }).y).concat([1])),
    // Break-even: above the line the structured apply is faster than dense.
    shapes: [
      {
        type: 'line',
        xref: 'paper',
        x0: 0,
        x1: 1,
        y0: 1,
        y1: 1,
        line: { color: REFERENCE.curve.colour, dash: 'dot', width: 1 },
      },
    ],
  });
  const l2 = useLayout({
    title: chartTitle('Throughput of the structured apply'),
    barmode: 'group',
    xaxis: linearAxis('matrix size n × n, batch rows'),
    yaxis: linearAxis(AXIS.gflops, { rangemode: 'tozero' }),
  });
  return (
    <ResultFrame title="Speedup" kind="speedup" view={view}>
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
                <span className="swatch" style={{ background: familyColour(k.family) }} aria-hidden="true" />{' '}
                {kernelName(k)}
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
    </ResultFrame>
  );
}
