/**
 * The fine-tune view (kind `finetune`): training loss per method (log scale) and validation loss,
 * updated live from the streamed `loss/<label>` / `valLoss/<label>` metrics (lr-sweep tries,
 * `loss/<label>@lr=…`, drawn thin); the summary table (adapter, rank, trainable parameters, init
 * time, step-0 / final / validation loss, best lr) as methods finish. PEFT files come from the CLI's
 * `--artifacts DIR` (no download buttons yet).
 */
import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { FinetuneSummary } from '../../experiments/finetune.schema';
import { COMPARED, chartTitle, linearAxis } from '../plots/conventions';
import { Plot } from '../plots/Plot';
import type { ResultView } from '../results';
import { fmt, type PanelProps, useLayout } from './common';

function traces(view: ResultView, dash: boolean): Data[] {
  const out: Data[] = [];
  for (const key of Object.keys(view.series)) {
    const val = key.startsWith('valLoss/');
    if (!val && !key.startsWith('loss/')) continue;
    const label = key.slice(val ? 8 : 5);
    const pts = view.series[key] ?? [];
    const sweep = label.includes('@lr=');
    out.push({
      type: 'scatter',
      mode: val ? 'lines+markers' : 'lines',
      x: pts.map((p) => p.step),
      y: pts.map((p) => p.value),
      name: `${label}${val ? ' validation' : ''}${dash ? COMPARED.suffix : ''}`,
      legendgroup: label,
      line: { width: sweep ? 0.8 : val ? 2 : 1.5, dash: dash ? COMPARED.dash : val ? 'dot' : 'solid' },
      opacity: dash ? COMPARED.opacity : sweep ? 0.5 : 1,
    } as Data);
  }
  return out;
}

export function FinetunePanel({ view, compare }: PanelProps) {
  const summary = view.summary as FinetuneSummary | null;
  const done = summary?.methods ?? [];
  const data = useMemo(
    () => [...traces(view, false), ...(compare ? traces(compare, true) : [])],
    [view, compare],
  );
  const points = Object.values(view.series).reduce((a, s) => a + (s?.length ?? 0), 0);
  const layout = useLayout({
    title: chartTitle('Fine-tuning loss per method'),
    xaxis: linearAxis('optimizer step'),
    yaxis: linearAxis('loss', { type: 'log' }),
  });
  return (
    <section className="panel result-panel" aria-labelledby="finetune-title" data-testid="panel-finetune">
      <h2 id="finetune-title">Fine-tuning</h2>
      {summary ? <p className="small">{summary.base}</p> : null}
      <Plot
        testId="plot-finetune-loss"
        label="Training and validation loss per fine-tuning method against the optimizer step"
        fileName="finetune-loss"
        data={data}
        layout={layout}
        revision={`${view.id}-${points}`}
      />
      {done.length ? (
        <table className="result-table">
          <thead>
            <tr>
              <th>method</th>
              <th>adapter</th>
              <th>rank</th>
              <th>trainable</th>
              <th>init ms</th>
              <th>step-0 loss</th>
              <th>final loss</th>
              <th>final val loss</th>
              <th>lr</th>
            </tr>
          </thead>
          <tbody>
            {done.map((m) => (
              <tr key={m.label} data-testid="finetune-row">
                <td>{m.label}</td>
                <td>{m.adapter}</td>
                <td>{m.rank}</td>
                <td>{m.trainableParams}</td>
                <td>{fmt(m.initMs, 3)}</td>
                <td>{fmt(m.step0Loss)}</td>
                <td>{fmt(m.finalLoss)}</td>
                <td>{fmt(m.finalValLoss)}</td>
                <td>{m.bestLr !== undefined ? `${m.bestLr} (best)` : m.lr}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
