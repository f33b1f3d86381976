/**
 * The compression view (kind `compression`): validation loss against the parameter budget, one line
 * per method in its structured family's colour (solid: after compression; dotted: after the recovery
 * fine-tune), the uncompressed base as a grey reference line; filled live from the streamed
 * `valLoss/<label>` / `valLossRecovered/<label>` metrics (step = budget). Below: FWSVD vs SVD per
 * budget, the table of every (method, budget), and the budgets a family could not meet.
 */
import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { CompressionSummary } from '../../experiments/compression.schema';
import { METHOD_FAMILY } from '../../experiments/compression.schema';
import {
  COMPARED,
  chartTitle,
  familyColour,
  familyName,
  legendOncePerGroup,
  linearAxis,
  REFERENCE,
} from '../plots/conventions';
import { Plot } from '../plots/Plot';
import type { ResultView } from '../results';
import { fmt, type PanelProps, ResultFrame, useLayout } from './common';

/** label → method name, from the config (labels default to the method's name). */
function methodsOf(view: ResultView): Map<string, string> {
  const ms = (view.config.methods as Array<{ method: string; label?: string }> | undefined) ?? [];
  return new Map(ms.map((m) => [m.label ?? m.method, m.method]));
}

/** A method as a reader knows it: "Truncated SVD", "Sparse + low rank"; a custom label stays. */
function methodName(label: string): string {
  if (label === 'svd') return 'Truncated SVD';
  const family = METHOD_FAMILY[label as keyof typeof METHOD_FAMILY];
  return family ? familyName(family) : label;
}

function colourOf(method: string | undefined): string {
  return familyColour(METHOD_FAMILY[method as keyof typeof METHOD_FAMILY] ?? method ?? '');
}

function traces(view: ResultView, dash: boolean): Data[] {
  const methods = methodsOf(view);
  const out: Data[] = [];
  for (const key of Object.keys(view.series)) {
    const rec = key.startsWith('valLossRecovered/');
    if (!rec && !key.startsWith('valLoss/')) continue;
    const label = key.slice(key.indexOf('/') + 1);
    const method = methods.get(label);
    const pts = view.series[key] ?? [];
    out.push({
      type: 'scatter',
      mode: 'lines+markers',
      x: pts.map((p) => p.step),
      y: pts.map((p) => p.value),
      name: `${methodName(label)}${rec ? ' after recovery' : ''}${dash ? COMPARED.suffix : ''}`,
      // one legend entry per method (its recovered line shares it)
      legendgroup: dash ? `${label}${COMPARED.suffix}` : label,
      line: { color: colourOf(method), width: 2, dash: dash ? COMPARED.dash : rec ? 'dot' : 'solid' },
      marker: { color: colourOf(method), size: 7, symbol: rec ? 'circle-open' : 'circle' },
      opacity: dash ? COMPARED.opacity : 1,
      hovertemplate: `${label}${rec ? ' (recovered)' : ''}: budget %{x} → val loss %{y:.5g}<extra></extra>`,
    } as Data);
  }
  return out;
}

export function CompressionPanel({ view, compare }: PanelProps) {
  const summary = view.summary as CompressionSummary | null;
  const methods = methodsOf(view);
  const budgets = (view.config.budgets as number[] | undefined) ?? [];
  const data = useMemo(() => {
    const t = legendOncePerGroup(
      [...traces(view, false), ...(compare ? traces(compare, true) : [])],
      // the legend names a family as a reader knows it ("Block-diagonal", not "blockdiag")
      (g) =>
        g.endsWith(COMPARED.suffix)
          ? `${methodName(g.slice(0, -COMPARED.suffix.length))}${COMPARED.suffix}`
          : methodName(g),
    );
    if (summary && budgets.length)
      t.push({
        type: 'scatter',
        mode: 'lines',
        x: [Math.min(...budgets), Math.max(...budgets)],
        y: [summary.baseValLoss, summary.baseValLoss],
        name: 'uncompressed base',
        line: { color: REFERENCE.W.colour, dash: 'dash', width: 1.5 },
        hovertemplate: 'uncompressed: val loss %{y:.5g}<extra></extra>',
      } as Data);
    return t;
  }, [view, compare, summary, budgets]);
  const points = Object.values(view.series).reduce((a, s) => a + (s?.length ?? 0), 0);
  const layout = useLayout({
    title: chartTitle('Validation loss vs parameter budget'),
    xaxis: linearAxis('budget (fraction of each layer’s dense parameters)'),
    yaxis: linearAxis('loss (nats per character)'),
  });
  const rows = summary?.methods ?? [];
  return (
    <ResultFrame title="Compression" kind="compression" view={view}>
      {summary ? (
        <p className="small">
          {summary.base}; {summary.layers.length} Linear layers compressed (
          {summary.denseParams.toLocaleString('en-US')} dense parameters); uncompressed loss{' '}
          <span data-testid="compression-base-loss">{fmt(summary.baseValLoss, 5)}</span> on {summary.corpus}.
        </p>
      ) : null}
      <Plot
        testId="plot-compression"
        label="Validation loss after compression against the parameter budget, one line per method"
        fileName="compression-val-loss"
        data={data}
        layout={layout}
        revision={`${view.id}-${points}-${summary ? 1 : 0}`}
      />
      <p className="muted small">
        Solid lines, filled dots: right after compression; dotted lines, open circles: after the recovery
        fine-tune (when configured); dashed grey: the uncompressed model.
      </p>
      {summary?.fwsvdVsSvd.length ? (
        <p className="small" data-testid="compression-fwsvd">
          FWSVD vs SVD at equal rank:{' '}
          {summary.fwsvdVsSvd
            .map(
              (c) =>
                `budget ${c.budget}: ${fmt(c.fwsvdValLoss, 5)} vs ${fmt(c.svdValLoss, 5)} (${c.fwsvdBetter ? 'FWSVD better' : 'SVD better or equal'})`,
            )
            .join('; ')}
          .
        </p>
      ) : null}
      {rows.length ? (
        <table className="result-table">
          <thead>
            <tr>
              <th>method</th>
              <th>budget</th>
              <th>params</th>
              <th>members</th>
              <th>rel. weight error</th>
              <th>val loss</th>
              <th>after recovery</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr key={`${m.label}-${m.budget}`} data-testid="compression-row">
                <td>
                  <span
                    className="swatch"
                    style={{ background: colourOf(methods.get(m.label) ?? m.method) }}
                    aria-hidden="true"
                  />{' '}
                  {m.label !== m.method ? `${m.label} (${methodName(m.method)})` : methodName(m.method)}
                </td>
                <td>{m.budget}</td>
                <td>
                  {m.params.toLocaleString('en-US')} ({fmt(m.paramFraction * 100, 3)}%)
                </td>
                <td className="small">{m.spec}</td>
                <td>{fmt(m.relWeightError)}</td>
                <td data-testid="compression-val-loss">{fmt(m.valLoss, 5)}</td>
                <td>{m.valLossRecovered !== undefined ? fmt(m.valLossRecovered, 5) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {summary?.skipped.length ? (
        <p className="muted small" data-testid="compression-skipped">
          Not run: {summary.skipped.map((k) => `${k.label} at budget ${k.budget} (${k.reason})`).join('; ')}.
        </p>
      ) : null}
    </ResultFrame>
  );
}
