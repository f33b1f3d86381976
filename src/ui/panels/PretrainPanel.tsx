/**
 * The training view (kind `pretrain`): training and validation loss per model, updated live from
 * the streamed `loss/<label>` / `valLoss/<label>` metrics; tokens/s and steps/s from the streamed
 * `tokensPerSecond/<label>`; the text samples of each model as they are taken (the streamed
 * `samples/<label>` artifact: every `sampleEvery` steps and at the end); the summary table (params,
 * final losses, ms/step, the last sample) as models finish. A compared run from history overlays dashed.
 */
import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { PretrainSummary } from '../../experiments/pretrain.schema';
import { COMPARED, chartTitle, familyColour, linearAxis } from '../plots/conventions';
import { Plot } from '../plots/Plot';
import type { ResultView } from '../results';
import { fmt, type PanelProps, useLayout } from './common';

type Model = PretrainSummary['models'][number];

/** Labels in stream order and the family of each (from the config's models, in the same order). */
function modelsOf(view: ResultView): Array<{ label: string; family: string }> {
  const labels = Object.keys(view.series)
    .filter((k) => k.startsWith('loss/'))
    .map((k) => k.slice(5));
  const cfg = (view.config.models as Array<{ family?: string; linear?: { family: string } }>) ?? [];
  return labels.map((label, i) => ({ label, family: cfg[i]?.family ?? cfg[i]?.linear?.family ?? 'dense' }));
}

type Sample = { step: number; text: string };

/** The samples streamed for a model so far (the `samples/<label>` text artifact), oldest first. */
function samplesOf(view: ResultView, label: string): Sample[] {
  const a = view.artifacts[`samples/${label}`];
  return a?.type === 'text' ? a.entries : [];
}

/** A sample on one line: line breaks shown as ↵ (a names corpus has one name per line). */
const oneLine = (text: string) => text.replace(/\n/g, ' ↵ ');

function traces(view: ResultView, dash: boolean): Data[] {
  const out: Data[] = [];
  for (const { label, family } of modelsOf(view)) {
    const colour = familyColour(family);
    const name = dash ? `${label}${COMPARED.suffix}` : label;
    const train = view.series[`loss/${label}`] ?? [];
    const val = view.series[`valLoss/${label}`] ?? [];
    out.push({
      type: 'scatter',
      mode: 'lines',
      x: train.map((p) => p.step),
      y: train.map((p) => p.value),
      name: `${name} train`,
      legendgroup: label,
      line: { color: colour, width: 1.5, dash: dash ? COMPARED.dash : 'solid' },
      opacity: dash ? COMPARED.opacity : 1,
    } as Data);
    out.push({
      type: 'scatter',
      mode: 'lines+markers',
      x: val.map((p) => p.step),
      y: val.map((p) => p.value),
      name: `${name} validation`,
      legendgroup: label,
      line: { color: colour, width: 2, dash: 'dot' },
      marker: { size: 6, symbol: 'diamond' },
      opacity: dash ? COMPARED.opacity : 1,
    } as Data);
  }
  return out;
}

export function PretrainPanel({ view, compare }: PanelProps) {
  const summary = view.summary as PretrainSummary | null;
  const done = (summary?.models ?? []) as Model[];
  const data = useMemo(
    () => [...traces(view, false), ...(compare ? traces(compare, true) : [])],
    [view, compare],
  );
  const models = modelsOf(view);
  const current = models[models.length - 1];
  const steps = current ? (view.series[`loss/${current.label}`]?.length ?? 0) : 0;
  const tps = current ? view.series[`tokensPerSecond/${current.label}`] : undefined;
  const tokensPerSecond = tps?.length ? tps[tps.length - 1].value : null;
  const cfg = view.config as { batch?: number; model?: { context?: number }; steps?: number };
  const tokensPerStep = (cfg.batch ?? 8) * (cfg.model?.context ?? 16);
  const layout = useLayout({
    title: chartTitle('Cross-entropy loss (nats per character)'),
    xaxis: linearAxis('optimizer step'),
    yaxis: linearAxis('loss (nats)'),
  });
  return (
    <section className="panel result-panel" aria-labelledby="pretrain-title" data-testid="panel-pretrain">
      <h2 id="pretrain-title">Training</h2>
      <p className="small" data-testid="train-progress">
        {current ? (
          <>
            <strong>{current.label}</strong>: step <span data-testid="train-step">{steps}</span> of{' '}
            {cfg.steps ?? '?'}
            {tokensPerSecond !== null
              ? ` · ${fmt(tokensPerSecond / tokensPerStep, 3)} steps/s · ${fmt(tokensPerSecond, 3)} tokens/s`
              : ''}
          </>
        ) : (
          'Waiting for the first step…'
        )}
      </p>
      <Plot
        testId="plot-loss"
        label="Training and validation loss per model against the optimizer step"
        fileName="pretrain-loss"
        data={data}
        layout={layout}
        revision={`${view.id}-${steps}-${models.length}`}
      />
      <SampleList view={view} labels={models.map((m) => m.label)} />
      {done.length ? (
        <table className="result-table">
          <thead>
            <tr>
              <th>model</th>
              <th>params</th>
              <th>final loss</th>
              <th>final val loss</th>
              <th>ms / step</th>
              <th>tokens / s</th>
              <th>sample</th>
            </tr>
          </thead>
          <tbody>
            {done.map((m) => (
              <tr key={m.label} data-testid="pretrain-row">
                <td>{m.label}</td>
                <td>{m.params}</td>
                <td>{fmt(m.finalLoss)}</td>
                <td>{fmt(m.finalValLoss)}</td>
                <td>{fmt(m.msPerStep, 3)}</td>
                <td>{fmt(m.tokensPerSecond, 3)}</td>
                <td>
                  <code className="sample">
                    {oneLine(m.sample ?? samplesOf(view, m.label).at(-1)?.text ?? '')}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** Text from each model while it trains: the latest sample first, with its step. */
function SampleList({ view, labels }: { view: ResultView; labels: string[] }) {
  const rows = labels
    .map((label) => ({ label, samples: samplesOf(view, label) }))
    .filter((r) => r.samples.length);
  if (!rows.length) return null;
  return (
    <div data-testid="train-samples">
      <h3 className="small">Text samples (seeded, at the configured temperature)</h3>
      <ul className="sample-list">
        {rows.map(({ label, samples }) => (
          <li key={label}>
            <strong>{label}</strong>
            <ul>
              {samples
                .slice(-3)
                .reverse()
                .map((x) => (
                  <li key={x.step} data-testid="train-sample">
                    step {x.step}: <code className="sample">{oneLine(x.text)}</code>
                  </li>
                ))}
            </ul>
          </li>
        ))}
      </ul>
    </div>
  );
}
