/**
 * The fine-tune view (kind `finetune`): training loss of every method on one chart (log scale) with
 * its validation loss, updated live from the streamed `loss/<label>` / `valLoss/<label>` metrics
 * (lr-sweep tries, `loss/<label>@lr=…`, drawn thin); beside each method its trainable parameters
 * (streamed as `trainableParams/<label>` before its first step), its final losses once done, and
 * download buttons for its PEFT files — the same files as the CLI's `--artifacts DIR/<label>/`
 * (adapter_model.safetensors + adapter_config.json, or model.safetensors with the merged weights for
 * HiRA / Compacter / full). The worker builds the bytes and posts them (`file` messages); this panel
 * only wraps them in Blobs.
 */
import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { FinetuneSummary } from '../../experiments/finetune.schema';
import { usePlayground } from '../playground';
import { ADAPTER_STYLES, COMPARED, chartTitle, linearAxis, logAxis } from '../plots/conventions';
import { Plot } from '../plots/Plot';
import type { ResultView } from '../results';
import { fmt, type PanelProps, ResultFrame, useLayout } from './common';

type Method = { label?: string; adapter: string; rank?: number };

/** A reader's name and colour for each stream label: "LoRA (r = 2)", not "lora-r2". */
function namesOf(view: ResultView): (label: string) => { name: string; colour: string } {
  const methods = (view.config.methods as Method[] | undefined) ?? [];
  const byLabel = new Map<string, Method>();
  for (const m of methods)
    byLabel.set(m.label ?? (m.adapter === 'full' ? 'full' : `${m.adapter}-r${m.rank}`), m);
  return (label) => {
    const [base, lr] = label.split('@lr=');
    const m = byLabel.get(base);
    const st = m ? ADAPTER_STYLES[m.adapter] : undefined;
    const name = !m
      ? base
      : m.label
        ? m.label
        : m.adapter === 'full'
          ? (st?.name ?? 'full')
          : `${st?.name ?? m.adapter} (r = ${m.rank})`;
    return { name: lr ? `${name} (lr = ${lr})` : name, colour: st?.colour ?? '#7f7f7f' };
  };
}

function traces(view: ResultView, dash: boolean): Data[] {
  const out: Data[] = [];
  const named = namesOf(view);
  for (const key of Object.keys(view.series)) {
    const val = key.startsWith('valLoss/');
    if (!val && !key.startsWith('loss/')) continue;
    const label = key.slice(val ? 8 : 5);
    const pts = view.series[key] ?? [];
    const sweep = label.includes('@lr=');
    const { name, colour } = named(label);
    out.push({
      type: 'scatter',
      mode: val ? 'lines+markers' : 'lines',
      x: pts.map((p) => p.step),
      y: pts.map((p) => p.value),
      name: `${name}${val ? ' validation' : ' train'}${dash ? COMPARED.suffix : ''}`,
      legendgroup: label,
      line: {
        color: colour,
        width: sweep ? 0.8 : val ? 2 : 1.5,
        dash: dash ? COMPARED.dash : val ? 'dot' : 'solid',
      },
      marker: { color: colour, size: 6 },
      opacity: dash ? COMPARED.opacity : sweep ? 0.5 : 1,
    } as Data);
  }
  return out;
}

/** Methods in stream order (lr-sweep tries left out) with what is known of each so far. */
function methodsOf(view: ResultView) {
  const done = new Map(((view.summary as FinetuneSummary | null)?.methods ?? []).map((m) => [m.label, m]));
  const labels = Object.keys(view.series)
    .filter((k) => k.startsWith('trainableParams/') && !k.includes('@lr='))
    .map((k) => k.slice('trainableParams/'.length));
  // results saved before trainableParams/<label> was streamed: the summary alone
  for (const l of done.keys()) if (!labels.includes(l)) labels.push(l);
  return labels.map((label) => {
    const loss = view.series[`loss/${label}`] ?? [];
    return {
      label,
      trainable:
        view.series[`trainableParams/${label}`]?.[0]?.value ?? done.get(label)?.trainableParams ?? null,
      steps: loss.length,
      last: loss.length ? loss[loss.length - 1].value : null,
      result: done.get(label) ?? null,
    };
  });
}

function download(name: string, data: Uint8Array | string): void {
  const blob =
    typeof data === 'string'
      ? new Blob([data], { type: 'application/json' })
      : new Blob([data as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function FinetunePanel({ view, compare }: PanelProps) {
  const summary = view.summary as FinetuneSummary | null;
  const runFiles = usePlayground((s) => s.runFiles);
  const running = usePlayground((s) => s.run?.status === 'running');
  // Files belong to this page's own runs: the run in progress, or the finished one on screen.
  const files =
    runFiles && (runFiles.resultId ? runFiles.resultId === view.id : running && view.status === 'running')
      ? runFiles.files
      : null;
  const data = useMemo(
    () => [...traces(view, false), ...(compare ? traces(compare, true) : [])],
    [view, compare],
  );
  const points = Object.values(view.series).reduce((a, s) => a + (s?.length ?? 0), 0);
  // The teacher–student base (the default) trains on a squared error; the transformer bases on text.
  const baseType = (view.config.base as { type?: string } | undefined)?.type ?? 'teacher-student';
  const regression = baseType === 'teacher-student';
  const values = data.flatMap((t) => (t as { y: number[] }).y);
  const layout = useLayout({
    title: chartTitle('Fine-tuning loss per method (train solid, validation dotted)'),
    xaxis: linearAxis('optimizer step'),
    yaxis: logAxis(regression ? 'loss (mean squared error)' : 'loss (cross-entropy, nats)', values),
  });
  const methods = methodsOf(view);
  return (
    <ResultFrame title="Fine-tuning" kind="finetune" view={view}>
      {summary ? <p className="small">Base: {summary.base}</p> : null}
      <Plot
        testId="plot-finetune-loss"
        label="Training and validation loss per fine-tuning method against the optimizer step"
        fileName="finetune-loss"
        data={data}
        layout={layout}
        revision={`${view.id}-${points}`}
      />
      <p className="muted small" data-testid="finetune-points">
        {points} points streamed
      </p>
      {methods.length ? (
        <table className="result-table" aria-label="Fine-tuning methods">
          <thead>
            <tr>
              <th>method</th>
              <th>trainable params</th>
              <th>steps</th>
              <th>loss</th>
              <th>init ms</th>
              <th>step-0 loss</th>
              <th>final val loss</th>
              <th>lr</th>
              <th>PEFT files</th>
            </tr>
          </thead>
          <tbody>
            {methods.map((m) => {
              const mine = files ? Object.entries(files).filter(([p]) => p.startsWith(`${m.label}/`)) : [];
              return (
                <tr key={m.label} data-testid="finetune-row">
                  <td>{m.label}</td>
                  <td data-testid="finetune-trainable">{m.trainable?.toLocaleString('en-US') ?? '—'}</td>
                  <td>{m.steps}</td>
                  <td>{m.last === null ? '—' : fmt(m.last)}</td>
                  <td>{m.result ? fmt(m.result.initMs, 3) : '—'}</td>
                  <td>{m.result ? fmt(m.result.step0Loss) : '—'}</td>
                  <td>{m.result ? fmt(m.result.finalValLoss) : '—'}</td>
                  <td>
                    {m.result
                      ? m.result.bestLr !== undefined
                        ? `${m.result.bestLr} (best)`
                        : m.result.lr
                      : '—'}
                  </td>
                  <td>
                    {mine.length
                      ? mine.map(([path, bytes]) => {
                          const name = path.slice(m.label.length + 1);
                          return (
                            <button
                              key={path}
                              type="button"
                              className="small"
                              aria-label={`Download ${m.label} ${name}`}
                              data-testid="finetune-download"
                              onClick={() => download(name, bytes)}
                            >
                              {name}
                            </button>
                          );
                        })
                      : m.result && files
                        ? '—'
                        : m.result
                          ? 'run it here to download'
                          : '…'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </ResultFrame>
  );
}
