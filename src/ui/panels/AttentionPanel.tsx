/**
 * Result panels of the attention kinds. `sparse-attention`: the patterns' table; head 0's attention
 * map (log10, block means) with a pattern's mask drawn over it; a budget slider per pattern type that
 * walks the run's budget ladder and shows each rung's recall, density and output error (all computed
 * by the run, on the GPU) and its mask; live budget sliders (init/local, vertical/slash, top-k) whose
 * recall, density and error the worker recomputes on the GPU for any value (src/runtime/live-attention.ts)
 * and whose mask the map then shows; recall vs density curves of the three patterns on one chart.
 * `kv-projection`: a rank slider with the error and compression at that rank, error vs rank, and the
 * explained variance of K and V.
 */
import type { Data } from 'plotly.js-dist-min';
import { useEffect, useMemo, useState } from 'react';
import type { KvProjectionSummary } from '../../experiments/kv-projection.schema';
import type { SparseAttentionSummary } from '../../experiments/sparse-attention.schema';
import type { AttentionLiveRequest } from '../../runtime/live-protocol';
import { usePlayground } from '../playground';
import { chartTitle, heatmapGeometry, linearAxis, logAxis } from '../plots/conventions';
import { Plot } from '../plots/Plot';
import { fmt, type PanelProps, useLayout } from './common';

const TYPES = ['a-shape', 'vertical-slash', 'block-sparse'] as const;
type PatternType = (typeof TYPES)[number];
const COLOUR: Record<PatternType, string> = {
  'a-shape': '#1f77b4',
  'vertical-slash': '#d62728',
  'block-sparse': '#2ca02c',
};
const NAME: Record<PatternType, string> = {
  'a-shape': 'A-shape',
  'vertical-slash': 'vertical-slash',
  'block-sparse': 'block-sparse',
};

type Matrix = {
  type: 'matrix';
  rows: number;
  cols: number;
  values: number[];
  sourceRows?: number;
  sourceCols?: number;
};

function ladder(view: PanelProps['view'], type: PatternType) {
  const get = (f: string) => (view.series[`curve/${type}/${f}`] ?? []).map((p) => p.value);
  const budget = get('budget');
  const density = get('density');
  const recall = get('recall');
  const error = get('error');
  const n = Math.min(budget.length, density.length, recall.length, error.length);
  return Array.from({ length: n }, (_, r) => ({
    budget: budget[r],
    density: density[r],
    recall: recall[r],
    error: error[r],
  }));
}

function MapWithMask({ map, mask, title }: { map: Matrix; mask: Matrix | null; title: string }) {
  const m = { rows: map.sourceRows ?? map.rows, cols: map.sourceCols ?? map.cols };
  const g = heatmapGeometry(m, map);
  const data = useMemo<Data[]>(() => {
    const z = (a: Matrix, f: (x: number) => number | null) =>
      Array.from({ length: a.rows }, (_, i) => a.values.slice(i * a.cols, (i + 1) * a.cols).map(f));
    const traces: Data[] = [
      {
        type: 'heatmap',
        z: z(map, (x) => x),
        x0: g.x0,
        dx: g.dx,
        y0: g.y0,
        dy: g.dy,
        colorscale: 'Viridis',
        zmin: -8,
        zmax: 0,
        colorbar: { thickness: 12, title: { text: 'log10 p' } },
        hovertemplate: 'rows %{y}, cols %{x}: log10 p = %{z:.3g}<extra></extra>',
        name: 'attention',
      } as Data,
    ];
    if (mask)
      traces.push({
        type: 'heatmap',
        z: z(mask, (x) => (x > 0 ? x : null)),
        x0: g.x0,
        dx: g.dx,
        y0: g.y0,
        dy: g.dy,
        colorscale: [
          [0, 'rgba(255,255,255,0.15)'],
          [1, 'rgba(255,255,255,0.85)'],
        ],
        zmin: 0,
        zmax: 1,
        showscale: false,
        opacity: 0.55,
        hovertemplate: 'mask covers %{z:.2f} of the cell<extra></extra>',
        name: 'mask',
      } as Data);
    return traces;
  }, [map, mask, g.x0, g.dx, g.y0, g.dy]);
  const layout = useLayout({
    title: chartTitle(title),
    xaxis: g.xaxis,
    yaxis: g.yaxis,
    margin: { l: 48, r: 8, t: 36, b: 40 },
  });
  return (
    <Plot
      data={data}
      layout={layout}
      height={420}
      label={title}
      testId="plot-attention-map"
      fileName={title}
    />
  );
}

type LivePattern = AttentionLiveRequest['pattern'];

/** Starting budgets of the live sliders (about 8 % of n, as the middle of the run's ladders). */
function defaultLive(type: PatternType, n: number): LivePattern {
  const f = Math.max(1, Math.round(0.08 * n));
  if (type === 'a-shape') return { type, init: 4, local: f };
  if (type === 'vertical-slash')
    return { type, vertical: Math.max(8, f), slash: Math.max(8, Math.round(f / 16)) };
  return { type, topk: Math.max(1, Math.round(0.16 * Math.ceil(n / 64))) };
}

/** The budgets of a pattern type: field, label, range. */
function budgetFields(
  type: PatternType,
  n: number,
): Array<{ key: string; name: string; min: number; max: number }> {
  if (type === 'a-shape')
    return [
      { key: 'init', name: 'init (sink tokens)', min: 0, max: n },
      { key: 'local', name: 'local (window tokens)', min: 1, max: n },
    ];
  if (type === 'vertical-slash')
    return [
      { key: 'vertical', name: 'vertical (key columns)', min: 1, max: n },
      { key: 'slash', name: 'slash (diagonals)', min: 1, max: n },
    ];
  return [{ key: 'topk', name: 'top-k (key blocks per query block)', min: 1, max: Math.ceil(n / 64) }];
}

/** The run's input spec (what the worker rebuilds Q, K, V from), or null if the config lacks it. */
function inputSpec(config: Record<string, unknown>) {
  const n = Number(config.n ?? 1024);
  const heads = Number(config.heads ?? 4);
  const d = Number(config.d ?? 64);
  if (!(n > 0 && heads > 0 && d > 0)) return null;
  return {
    input: (config.input ?? 'synthetic') as AttentionLiveRequest['input'],
    heads,
    n,
    d,
    seed: Number(config.seed ?? 0),
  };
}

const sameSpec = (a: AttentionLiveRequest | null, b: ReturnType<typeof inputSpec>) =>
  !!a &&
  !!b &&
  JSON.stringify([a.input, a.heads, a.n, a.d, a.seed]) ===
    JSON.stringify([b.input, b.heads, b.n, b.d, b.seed]);

function LiveBudget({
  type,
  spec,
  onLive,
}: {
  type: PatternType;
  spec: NonNullable<ReturnType<typeof inputSpec>>;
  onLive: () => void;
}) {
  const engine = usePlayground((s) => s.engine);
  const request = usePlayground((s) => s.requestAttentionLive);
  const st = usePlayground((s) => s.attentionLive);
  const [pat, setPat] = useState<LivePattern>(() => defaultLive(type, spec.n));
  const [touched, setTouched] = useState(false);
  const p = pat.type === type ? pat : defaultLive(type, spec.n);
  const key = JSON.stringify([spec, p]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for spec and p
  useEffect(() => {
    if (touched) request({ ...spec, head: 0, pattern: p });
  }, [key, touched]);
  const res = sameSpec(st.request, spec) && st.request?.pattern.type === type ? st.result : null;
  const pending = touched && st.requested !== st.shown;
  if (engine === 'unavailable')
    return <p className="hint">Live budgets need WebGPU in this browser; the run's ladder is above.</p>;
  return (
    <fieldset className="attention-controls" data-testid="attention-live">
      <legend>Live budget (recomputed on the GPU for any value, all heads)</legend>
      {budgetFields(type, spec.n).map((f) => {
        const value = (p as unknown as Record<string, number>)[f.key];
        return (
          <label key={f.key}>
            {f.name}{' '}
            <input
              type="range"
              min={f.min}
              max={f.max}
              step={1}
              value={Math.min(Math.max(value, f.min), f.max)}
              onChange={(e) => {
                setPat({ ...p, [f.key]: Number(e.target.value) } as LivePattern);
                setTouched(true);
                onLive();
              }}
              data-testid={`attention-live-${f.key}`}
              aria-label={`live ${NAME[type]} ${f.key} budget`}
            />{' '}
            {value}{' '}
          </label>
        );
      })}
      <p data-testid="attention-live-readout" aria-live="polite">
        {res ? (
          <>
            live: recall{' '}
            <output aria-label="live recall" data-testid="attention-live-recall">
              {fmt(res.recall, 4)}
            </output>{' '}
            · density{' '}
            <output aria-label="live density" data-testid="attention-live-density">
              {fmt(res.density, 3)}
            </output>{' '}
            · error{' '}
            <output aria-label="live output error" data-testid="attention-live-error">
              {fmt(res.relOutputError, 3)}
            </output>{' '}
            ({res.label}, {fmt(res.ms, 3)} ms in the worker){pending ? ' …' : ''}
          </>
        ) : touched ? (
          st.error ? (
            `live: ${st.error}`
          ) : (
            'live: computing…'
          )
        ) : (
          'Move a slider to compute this budget live.'
        )}
      </p>
    </fieldset>
  );
}

export function SparseAttentionPanel({ view }: PanelProps) {
  const s = view.summary as SparseAttentionSummary | null;
  const [type, setType] = useState<PatternType>('vertical-slash');
  const rungs = ladder(view, type);
  const [rung, setRung] = useState(0);
  const r = Math.min(rung, Math.max(0, rungs.length - 1));
  const cur = rungs[r];
  const map = view.artifacts.map as Matrix | undefined;
  const spec = inputSpec(view.config);
  const [maskFrom, setMaskFrom] = useState<'run' | 'live'>('run');
  const liveSt = usePlayground((st) => st.attentionLive);
  const liveRes =
    maskFrom === 'live' && sameSpec(liveSt.request, spec) && liveSt.request?.pattern.type === type
      ? liveSt.result
      : null;
  const runMask = (view.artifacts[`curveMask/${type}/${r}`] as Matrix | undefined) ?? null;
  const mask: Matrix | null = liveRes ? { type: 'matrix', ...liveRes.mask } : runMask;
  const curves = useMemo<Data[]>(() => {
    const out: Data[] = [];
    for (const t of TYPES) {
      const l = ladder(view, t);
      if (!l.length) continue;
      out.push({
        type: 'scatter',
        mode: 'lines+markers',
        x: l.map((p) => p.density),
        y: l.map((p) => p.recall),
        name: NAME[t],
        line: { color: COLOUR[t] },
        hovertemplate: `${NAME[t]}: density %{x:.3g}, recall %{y:.4g}<extra></extra>`,
      } as Data);
    }
    if (cur)
      out.push({
        type: 'scatter',
        mode: 'markers',
        x: [cur.density],
        y: [cur.recall],
        name: 'slider position',
        marker: { size: 14, symbol: 'circle-open', color: COLOUR[type], line: { width: 3 } },
      } as Data);
    return out;
  }, [view, cur, type]);
  const curveLayout = useLayout({
    title: chartTitle('Recall vs density (head-mean, budget ladders)'),
    xaxis: logAxis(
      'density (computed causal entries / all)',
      curves.flatMap((t) => (t as { x: number[] }).x),
    ),
    yaxis: linearAxis('recall (dense softmax mass inside the mask)', { range: [0, 1.02] }),
  });
  return (
    <section className="panel result-panel" aria-labelledby="attn-title" data-testid="panel-sparse-attention">
      <h2 id="attn-title">
        Sparse attention {view.status === 'running' ? '(running…)' : `(${view.status})`}
      </h2>
      <table className="result-table">
        <thead>
          <tr>
            <th>pattern</th>
            <th>density</th>
            <th>recall</th>
            <th>rel. output error</th>
            <th>index ms</th>
            <th>sparse ms</th>
            <th>dense ms</th>
          </tr>
        </thead>
        <tbody>
          {(s?.patterns ?? []).map((p) => (
            <tr key={p.label} data-testid="attention-row">
              <td>{p.label}</td>
              <td>{fmt(p.density, 3)}</td>
              <td>{fmt(p.recall, 4)}</td>
              <td>{fmt(p.relOutputError, 3)}</td>
              <td>{fmt(p.indexMs, 3)}</td>
              <td>{fmt(p.sparseMs, 3)}</td>
              <td>{fmt(p.denseMs, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {s?.search ? (
        <p data-testid="attention-search">
          Pattern search:{' '}
          {s.search
            .map(
              (h) =>
                `head ${h.head}: ${h.label ?? 'none fits'} (recall ${fmt(h.recall, 3)}, density ${fmt(h.density, 3)})`,
            )
            .join('; ')}
        </p>
      ) : null}
      {rungs.length ? (
        <fieldset className="attention-controls">
          <legend>Run's budget ladder (figures computed by the run; head 0's mask over its map)</legend>
          <label>
            pattern{' '}
            <select
              value={type}
              onChange={(e) => setType(e.target.value as PatternType)}
              data-testid="attention-type"
            >
              {TYPES.map((t) => (
                <option key={t} value={t}>
                  {NAME[t]}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            budget{' '}
            <input
              type="range"
              min={0}
              max={rungs.length - 1}
              step={1}
              value={r}
              onChange={(e) => {
                setRung(Number(e.target.value));
                setMaskFrom('run');
              }}
              data-testid="attention-budget"
              aria-label="budget rung"
            />{' '}
            {fmt(cur?.budget)}
          </label>
          <output data-testid="attention-readout" aria-label="run figures at this rung">
            {' '}
            run: recall {fmt(cur?.recall, 4)} · density {fmt(cur?.density, 3)} · error {fmt(cur?.error, 3)}
          </output>
        </fieldset>
      ) : null}
      {spec && view.status !== 'running' ? (
        <LiveBudget key={type} type={type} spec={spec} onLive={() => setMaskFrom('live')} />
      ) : null}
      <div className="plot-grid">
        {map ? (
          <MapWithMask
            map={map}
            mask={mask}
            title={`Head 0 attention (log10) with the ${liveRes ? 'live' : "run's"} ${NAME[type]} mask`}
          />
        ) : null}
        {curves.length ? (
          <Plot
            data={curves}
            layout={curveLayout}
            height={420}
            label="Recall vs density"
            testId="plot-recall-density"
          />
        ) : null}
      </div>
    </section>
  );
}

export function KvProjectionPanel({ view }: PanelProps) {
  const s = view.summary as KvProjectionSummary | null;
  const same = useMemo(() => (s?.ranks ?? []).filter((x) => x.rank === x.vRank), [s]);
  const [idx, setIdx] = useState(0);
  const i = Math.min(idx, Math.max(0, same.length - 1));
  const cur = same[i];
  const traces = useMemo<Data[]>(() => {
    const out: Data[] = [
      {
        type: 'scatter',
        mode: 'lines+markers',
        x: same.map((x) => x.rank),
        y: same.map((x) => Math.max(x.relOutputError, 1e-8)),
        name: 'relative output error',
      } as Data,
    ];
    if (cur)
      out.push({
        type: 'scatter',
        mode: 'markers',
        x: [cur.rank],
        y: [Math.max(cur.relOutputError, 1e-8)],
        name: 'slider position',
        marker: { size: 14, symbol: 'circle-open', line: { width: 3 } },
      } as Data);
    return out;
  }, [same, cur]);
  const variance = useMemo<Data[]>(
    () =>
      s
        ? [
            {
              type: 'scatter',
              mode: 'lines',
              x: s.kVariance.map((_, t) => t + 1),
              y: s.kVariance,
              name: 'K',
            } as Data,
            {
              type: 'scatter',
              mode: 'lines',
              x: s.vVariance.map((_, t) => t + 1),
              y: s.vVariance,
              name: 'V',
            } as Data,
          ]
        : [],
    [s],
  );
  const l1 = useLayout({
    title: chartTitle('Attention output error vs K = V rank'),
    xaxis: linearAxis('rank r'),
    yaxis: logAxis(
      'relative output error ‖O_r − O‖F / ‖O‖F',
      traces.flatMap((t) => (t as { y: number[] }).y),
    ),
  });
  const l2 = useLayout({
    title: chartTitle('Variance captured by the top r principal directions (head mean)'),
    xaxis: linearAxis('rank r'),
    yaxis: linearAxis('fraction of variance', { range: [0, 1.02] }),
  });
  return (
    <section className="panel result-panel" aria-labelledby="kv-title" data-testid="panel-kv-projection">
      <h2 id="kv-title">KV projection {view.status === 'running' ? '(running…)' : `(${view.status})`}</h2>
      {same.length ? (
        <label>
          K = V rank{' '}
          <input
            type="range"
            min={0}
            max={same.length - 1}
            step={1}
            value={i}
            onChange={(e) => setIdx(Number(e.target.value))}
            data-testid="kv-rank"
            aria-label="KV rank"
          />{' '}
          <output data-testid="kv-readout">
            r = {cur?.rank}: error {fmt(cur?.relOutputError, 3)} · KV cache saved{' '}
            {fmt((cur?.compression ?? 0) * 100, 3)}%
          </output>
        </label>
      ) : null}
      <table className="result-table">
        <thead>
          <tr>
            <th>K rank</th>
            <th>V rank</th>
            <th>rel. output error</th>
            <th>compression</th>
          </tr>
        </thead>
        <tbody>
          {(s?.ranks ?? []).map((x) => (
            <tr key={`${x.rank}-${x.vRank}`} data-testid="kv-row">
              <td>{x.rank}</td>
              <td>{x.vRank}</td>
              <td>{fmt(x.relOutputError, 3)}</td>
              <td>{fmt(x.compression, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="plot-grid">
        {same.length ? (
          <Plot data={traces} layout={l1} height={380} label="Error vs rank" testId="plot-kv-error" />
        ) : null}
        {variance.length ? (
          <Plot
            data={variance}
            layout={l2}
            height={380}
            label="Explained variance"
            testId="plot-kv-variance"
          />
        ) : null}
      </div>
    </section>
  );
}
