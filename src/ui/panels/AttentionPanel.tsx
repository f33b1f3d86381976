/**
 * Result panels of the attention kinds. `sparse-attention`: the patterns' table; head 0's attention
 * map (log10, block means) with a pattern's mask drawn over it; a budget slider per pattern type that
 * walks the run's budget ladder and shows each rung's recall, density and output error (all computed
 * by the run, on the GPU) and its mask; recall vs density curves of the three patterns on one chart.
 * `kv-projection`: a rank slider with the error and compression at that rank, error vs rank, and the
 * explained variance of K and V.
 */
import type { Data } from 'plotly.js-dist-min';
import { useMemo, useState } from 'react';
import type { KvProjectionSummary } from '../../experiments/kv-projection.schema';
import type { SparseAttentionSummary } from '../../experiments/sparse-attention.schema';
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

export function SparseAttentionPanel({ view }: PanelProps) {
  const s = view.summary as SparseAttentionSummary | null;
  const [type, setType] = useState<PatternType>('vertical-slash');
  const rungs = ladder(view, type);
  const [rung, setRung] = useState(0);
  const r = Math.min(rung, Math.max(0, rungs.length - 1));
  const cur = rungs[r];
  const map = view.artifacts.map as Matrix | undefined;
  const mask = (view.artifacts[`curveMask/${type}/${r}`] as Matrix | undefined) ?? null;
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
          <legend>Budget (head 0's mask over its attention map)</legend>
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
              onChange={(e) => setRung(Number(e.target.value))}
              data-testid="attention-budget"
              aria-label="budget rung"
            />{' '}
            {fmt(cur?.budget)}
          </label>
          <output data-testid="attention-readout">
            {' '}
            recall {fmt(cur?.recall, 4)} · density {fmt(cur?.density, 3)} · error {fmt(cur?.error, 3)}
          </output>
        </fieldset>
      ) : null}
      <div className="plot-grid">
        {map ? (
          <MapWithMask map={map} mask={mask} title={`Head 0 attention (log10) with the ${NAME[type]} mask`} />
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
