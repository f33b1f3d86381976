import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { CheckResult } from '../../runtime/selfcheck';
import { formatError } from '../format';
import { useSelfCheck } from '../selfcheck-store';
import { logAxis } from './conventions';
import { Plot } from './Plot';
import { plotColors, themedLayout, usePrefersDark } from './theme';

/** Errors of exactly 0 cannot sit on a log axis: they are drawn at this floor (hover says 0). */
export const LOG_FLOOR = 1e-10;

/** Bars: each check's error; markers: its bound. Log scale, so 1e-8 and 1e-4 are both readable. */
export function errorChartData(results: CheckResult[], ok: string, fail: string, bound: string): Data[] {
  const names = results.map((r) => r.name);
  const hover = results.map(
    (r) =>
      `<b>${r.name}</b><br>${r.detail}<br>error ${formatError(r.maxError)} · bound ${formatError(r.bound)}` +
      `<br>${r.ok ? 'ok' : 'FAIL'}`,
  );
  return [
    {
      type: 'bar',
      name: 'error',
      x: names,
      y: results.map((r) => (Number.isFinite(r.maxError) ? Math.max(r.maxError, LOG_FLOOR) : null)),
      marker: { color: results.map((r) => (r.ok ? ok : fail)) },
      hovertext: hover,
      hoverinfo: 'text',
    },
    {
      type: 'scatter',
      mode: 'markers',
      name: 'bound',
      x: names,
      y: results.map((r) => r.bound),
      marker: { symbol: 'line-ew-open', size: 26, color: bound, line: { width: 2, color: bound } },
      hovertext: results.map((r) => `bound ${formatError(r.bound)}`),
      hoverinfo: 'text',
    },
  ];
}

export function SelfCheckErrorChart() {
  const results = useSelfCheck((s) => s.results);
  const dark = usePrefersDark();
  const finished = useMemo(() => results.filter((r): r is CheckResult => r !== undefined), [results]);
  const { data, layout } = useMemo(() => {
    const c = plotColors(dark);
    const data = errorChartData(finished, c.ok, c.fail, c.muted);
    return {
      data,
      layout: themedLayout(c, {
        title: { text: 'Error vs bound per kernel (log scale)', font: { size: 13, color: c.text } },
        yaxis: logAxis(
          'relative max error (unitless)',
          data.flatMap((t) => ((t as { y: Array<number | null> }).y ?? []).filter((v) => v !== null)),
        ),
        xaxis: { tickangle: -30, title: { text: 'kernel check' } },
        bargap: 0.35,
        showlegend: true,
      }),
    };
  }, [finished, dark]);
  if (finished.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="error-chart-title">
      <h2 id="error-chart-title" className="visually-hidden">
        Self-check errors
      </h2>
      <Plot
        modebar={false}
        data={data}
        layout={layout}
        label="Bar chart of each kernel's error against the float64 oracle, with its bound"
        testId="error-chart"
      />
    </section>
  );
}
