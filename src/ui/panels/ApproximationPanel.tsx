import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { ApproximationSummary } from '../../experiments/approximation.schema';
import { usePlayground } from '../playground';
import {
  AXIS,
  COMPARED,
  chartTitle,
  familyColour,
  familyName,
  legendOncePerGroup,
  linearAxis,
  logAxis,
  REFERENCE,
} from '../plots/conventions';
import { Plot } from '../plots/Plot';
import type { ResultView } from '../results';
import { fmt, Heatmap, type PanelProps, ResultFrame, useLayout } from './common';

type Method = ApproximationSummary['methods'][number];

function methodsOf(v: ResultView | null): Method[] {
  return ((v?.summary as ApproximationSummary | null)?.methods ?? []) as Method[];
}

function vec(v: ResultView, name: string): number[] | null {
  const a = v.artifacts[name];
  return a && a.type === 'vector' ? a.values : null;
}

export function ApproximationPanel({ view, compare }: PanelProps) {
  const focus = usePlayground((s) => s.focus);
  const methods = methodsOf(view);
  const specs = (view.config.methods as Array<{ family: string; rank?: number }>) ?? [];

  const spectrum = useMemo<Data[]>(() => {
    const out: Data[] = [];
    const sw = vec(view, 'singularValues/W');
    if (sw)
      out.push({
        x: sw.map((_, i) => i + 1),
        y: sw,
        name: 'W',
        mode: 'lines+markers',
        line: { color: REFERENCE.W.colour, width: REFERENCE.W.width },
        marker: { size: 4 },
        hovertemplate: 'σ_%{x} = %{y:.6g}<extra>W</extra>',
      } as Data);
    for (const m of methods) {
      const s = vec(view, `singularValues/${m.label}`);
      if (s)
        out.push({
          x: s.map((_, i) => i + 1),
          y: s.map((x) => Math.max(x, 1e-12)),
          name: m.label,
          mode: 'lines',
          line: { color: familyColour(m.family) },
          hovertemplate: `σ_%{x} = %{y:.6g}<extra>${m.label}</extra>`,
        } as Data);
    }
    const cw = compare ? vec(compare, 'singularValues/W') : null;
    if (cw)
      out.push({
        x: cw.map((_, i) => i + 1),
        y: cw,
        name: `W${COMPARED.suffix}`,
        mode: 'lines',
        line: { color: REFERENCE.W.colour, dash: COMPARED.dash },
      } as Data);
    return out;
  }, [view, compare, methods]);

  const ranks = specs.filter((s) => s.family === 'lowrank' && s.rank).map((s) => s.rank as number);
  const spectrumLayout = useLayout({
    title: chartTitle('Singular values of W and of each Ŵ'),
    xaxis: linearAxis(AXIS.index),
    yaxis: logAxis(
      AXIS.singularValue,
      spectrum.flatMap((t) => (t as { y: number[] }).y),
    ),
    shapes: ranks.map((r) => ({
      type: 'line',
      x0: r + 0.5,
      x1: r + 0.5,
      yref: 'paper',
      y0: 0,
      y1: 1,
      line: { color: familyColour('lowrank'), dash: 'dot', width: 2 },
    })),
    annotations: ranks.map((r) => ({
      x: r + 0.5,
      yref: 'paper',
      y: 1,
      text: `r = ${r}`,
      showarrow: false,
      yanchor: 'bottom',
    })),
  });

  const sweep = useMemo<Data[]>(() => {
    const out: Data[] = [];
    const add = (v: ResultView, dash: boolean) => {
      for (const [name, pts] of Object.entries(v.series)) {
        if (!name.startsWith('error/')) continue;
        const fam = name.slice('error/'.length);
        out.push({
          x: pts.map((p) => p.step),
          y: pts.map((p) => p.value),
          legendgroup: dash ? 'compared' : fam,
          mode: 'lines+markers',
          line: { color: familyColour(fam), dash: dash ? COMPARED.dash : 'solid' },
          hovertemplate: `${familyName(fam)} sweep: %{x} params → error %{y:.6g}<extra></extra>`,
        } as Data);
      }
      for (const m of methodsOf(v))
        out.push({
          x: [m.params],
          y: [m.relFrobError],
          legendgroup: dash ? 'compared' : m.family,
          mode: 'markers',
          marker: { color: familyColour(m.family), size: 11, symbol: dash ? 'diamond-open' : 'diamond' },
          hovertemplate: `${m.label}: %{x} params → error %{y:.6g}<extra></extra>`,
        } as Data);
    };
    add(view, false);
    if (compare) add(compare, true);
    // One legend entry per family (its sweep line and its method's diamond share it).
    return legendOncePerGroup(out, (g) => (g === 'compared' ? 'compared run (dashed, ◇)' : familyName(g)));
  }, [view, compare]);
  const sweepLayout = useLayout({
    title: chartTitle('Error vs stored parameters'),
    xaxis: logAxis(
      AXIS.params,
      sweep.flatMap((t) => (t as { x: number[] }).x),
    ),
    yaxis: logAxis(
      AXIS.relFrob,
      sweep.flatMap((t) => (t as { y: number[] }).y),
    ),
  });

  const summary = view.summary as ApproximationSummary | null;
  const ran = summary?.matrix;
  const noSpectrum = view.status !== 'running' && ran && !vec(view, 'singularValues/W');
  const skipped = summary?.skipped ?? [];
  const fm = methods[Math.min(focus, methods.length - 1)];
  const heat = fm ? view.artifacts[`errorHeatmap/${fm.label}`] : undefined;

  return (
    <ResultFrame title="Approximation" kind="approximation" view={view}>
      <table className="result-table" data-testid="methods-table">
        <thead>
          <tr>
            <th>method</th>
            <th>params</th>
            <th>rel. Frobenius error</th>
            <th>rel. spectral error</th>
            <th>apply ms</th>
            <th>dense ms</th>
          </tr>
        </thead>
        <tbody>
          {methods.map((m, i) => (
            <tr key={m.label} data-testid="method-row">
              <td>
                <span className="swatch" style={{ background: familyColour(m.family) }} aria-hidden="true" />{' '}
                {m.label}
              </td>
              <td>{m.params}</td>
              <td data-testid={`method-error-${i}`}>{fmt(m.relFrobError, 6)}</td>
              <td>{fmt(m.relSpectralError, 6)}</td>
              <td>{fmt(m.applyMs)}</td>
              <td>{fmt(m.denseMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {noSpectrum ? (
        <p className="muted small" data-testid="no-spectrum-note">
          No singular-value chart: the exact SVD runs only up to m·n·min(m, n) ≤ 256³ (a 256 × 256 matrix),
          and this matrix is {ran.rows} × {ran.cols}. The errors above are still exact; the spectral norm
          comes from power iteration.
        </p>
      ) : null}
      {skipped.length ? (
        <p className="muted small" data-testid="sweep-skipped">
          Not in the sweep:{' '}
          {skipped.map((k) => `${familyName(k.family)} at budget ${k.budget} (${k.reason})`).join('; ')}.
        </p>
      ) : null}
      <div className="plot-grid">
        {spectrum.length ? (
          <Plot
            data={spectrum}
            layout={spectrumLayout}
            height={420}
            label="Singular values of W and each approximation, log scale"
            testId="plot-spectrum"
          />
        ) : null}
        {sweep.length ? (
          <Plot
            data={sweep}
            layout={sweepLayout}
            height={420}
            label="Error against stored parameters for every family"
            testId="plot-sweep"
          />
        ) : null}
        {heat && heat.type === 'matrix' ? (
          <Heatmap
            sequential
            title={heat.label}
            rows={heat.rows}
            cols={heat.cols}
            values={heat.values}
            matrix={{ rows: heat.sourceRows ?? heat.rows, cols: heat.sourceCols ?? heat.cols }}
            testId="plot-error-heatmap"
          />
        ) : null}
      </div>
    </ResultFrame>
  );
}
