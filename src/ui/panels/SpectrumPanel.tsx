import type { Data } from 'plotly.js-dist-min';
import { useMemo } from 'react';
import type { SpectrumSummary } from '../../experiments/spectrum.schema';
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
import type { ResultView } from '../results';
import { fmt, type PanelProps, ResultFrame, useLayout } from './common';

type EntryConfig = { type: string; n?: number; label?: string; spec?: { family: string } };

/** What a series of this view is, for colour and a reader's name (never the internal artifact key). */
interface SeriesInfo {
  name: string;
  colour: string;
  dash: string;
  group: string;
}

/**
 * Names and colours of the spectrum kind's series. The engine emits one artifact per entry in
 * config order (`singularValues/<label>` for a structured entry, `…/<label>/gaussian|orthogonal`
 * for a random one), so the k-th structured label belongs to the k-th structured entry.
 */
function seriesInfo(view: ResultView): (label: string, sub?: string) => SeriesInfo {
  const entries = ((view.config.entries as EntryConfig[]) ?? []).map((e, i) => ({ ...e, index: i }));
  const randoms = entries.filter((e) => e.type === 'random');
  const structured = entries.filter((e) => e.type === 'structured');
  const seen = { random: [] as string[], structured: [] as string[] };
  for (const name of Object.keys(view.artifacts)) {
    if (!name.startsWith('singularValues/')) continue;
    const rest = name.slice('singularValues/'.length);
    const m = /^(.*)\/(gaussian|orthogonal)$/.exec(rest);
    const list = m ? seen.random : seen.structured;
    const label = m ? m[1] : rest;
    if (!list.includes(label)) list.push(label);
  }
  return (label, sub) => {
    if (sub === 'gaussian' || sub === 'orthogonal') {
      const e = randoms[seen.random.indexOf(label)];
      const many = randoms.length > 1 && e ? ` (entry ${e.index + 1})` : '';
      const ref = REFERENCE[sub];
      return {
        name: `${sub === 'gaussian' ? 'Gaussian' : 'orthogonal'} W, n = ${e?.n ?? '?'}${many}`,
        colour: ref.colour,
        dash: ref.dash,
        group: `${label}/${sub}`,
      };
    }
    const e = structured[seen.structured.indexOf(label)];
    return {
      name: label.replace(/ n=(\d+)$/, ', n = $1'),
      colour: familyColour(e?.spec?.family ?? ''),
      dash: 'solid',
      group: label,
    };
  };
}

/** A table row's name: random entries read "Gaussian / orthogonal W", no "#4". */
function entryName(label: string, type: string, n: number): string {
  if (type === 'random' && /^random n=\d+ #\d+$/.test(label)) return `Gaussian and orthogonal W, n = ${n}`;
  return label.replace(/ n=(\d+)$/, ', n = $1');
}

export function SpectrumPanel({ view, compare }: PanelProps) {
  const entries = ((view.summary as SpectrumSummary | null)?.entries ?? []) as SpectrumSummary['entries'];
  const toeplitz = useMemo<Data[]>(() => {
    const out: Data[] = [];
    const count = Object.keys(view.artifacts).filter((k) => k.startsWith('eigenvalues/')).length;
    for (const [name, a] of Object.entries(view.artifacts)) {
      if (!name.startsWith('eigenvalues/') || a.type !== 'vector') continue;
      const label = name.slice('eigenvalues/'.length);
      const which = count > 1 ? ` (${label})` : '';
      const sym = view.artifacts[`symbol/${label}`];
      out.push({
        x: a.values.map((_, i) => i + 1),
        y: a.values,
        name: `eigenvalues λⱼ of Tₙ${which}`,
        mode: 'markers',
        // Open circles: the symbol's line, drawn over them, stays visible through every marker.
        marker: {
          color: REFERENCE.measured.colour,
          size: 7,
          symbol: 'circle-open',
          line: { width: 1.5, color: REFERENCE.measured.colour },
        },
        hovertemplate: 'λ_%{x} = %{y:.6g}<extra></extra>',
      } as Data);
      if (sym?.type === 'vector')
        out.push({
          x: sym.values.map((_, i) => i + 1),
          y: sym.values,
          name: `symbol f(jπ/(n+1))${which}`,
          mode: 'lines',
          line: { color: REFERENCE.curve.colour, width: REFERENCE.curve.width },
          hovertemplate: 'f_%{x} = %{y:.6g}<extra></extra>',
        } as Data);
    }
    return out;
  }, [view]);
  const singular = useMemo<Data[]>(() => {
    const out: Data[] = [];
    const add = (v: ResultView, compared: boolean) => {
      const info = seriesInfo(v);
      for (const [name, a] of Object.entries(v.artifacts)) {
        if (!name.startsWith('singularValues/') || a.type !== 'vector') continue;
        const rest = name.slice('singularValues/'.length);
        const m = /^(.*)\/(gaussian|orthogonal)$/.exec(rest);
        const s = m ? info(m[1], m[2]) : info(rest);
        out.push({
          x: a.values.map((_, i) => i + 1),
          y: a.values.map((x) => Math.max(x, 1e-12)),
          name: s.name,
          legendgroup: compared ? 'compared' : undefined,
          mode: 'lines',
          line: { color: s.colour, dash: compared ? COMPARED.dash : s.dash, width: 2 },
          hovertemplate: `σ_%{x} = %{y:.6g}<extra>${s.name}</extra>`,
        } as Data);
      }
    };
    add(view, false);
    if (compare) add(compare, true);
    return legendOncePerGroup(out, () => 'compared run (dashed)');
  }, [view, compare]);
  const norms = useMemo<Data[]>(() => {
    const info = seriesInfo(view);
    return Object.entries(view.series)
      .filter(([n]) => n.startsWith('norm/'))
      .map(([n, pts]) => {
        const m = /^norm\/(.*)\/(gaussian|orthogonal)$/.exec(n);
        const s = m ? info(m[1], m[2]) : { name: n.slice(5), colour: REFERENCE.curve.colour, dash: 'solid' };
        return {
          x: pts.map((p) => p.step),
          y: pts.map((p) => p.value),
          name: s.name,
          mode: 'lines',
          line: { color: s.colour, dash: s.dash, width: 2 },
          hovertemplate: `k = %{x}: ‖x_k‖ = %{y:.6g}<extra>${s.name}</extra>`,
        } as Data;
      });
  }, [view]);
  const tl = useLayout({
    title: chartTitle('B-spline Toeplitz: eigenvalues vs symbol'),
    xaxis: linearAxis('eigenvalue index j (ascending)'),
    yaxis: linearAxis('eigenvalue λⱼ / symbol value'),
  });
  const sl = useLayout({
    title: chartTitle('Singular values of each matrix'),
    yaxis: logAxis(
      AXIS.singularValue,
      singular.flatMap((t) => (t as { y: number[] }).y),
    ),
    xaxis: linearAxis(AXIS.index),
  });
  const nl = useLayout({
    title: chartTitle('‖x_k‖ under x ← W x, ‖x₀‖ = 1'),
    yaxis: logAxis(
      '‖x_k‖ (unitless)',
      norms.flatMap((t) => (t as { y: number[] }).y),
    ),
    xaxis: linearAxis(AXIS.step),
  });
  return (
    <ResultFrame title="Spectra" kind="spectrum" view={view}>
      <table className="result-table">
        <thead>
          <tr>
            <th>entry</th>
            <th>n</th>
            <th>max</th>
            <th>min</th>
            <th>condition</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.label} data-testid="spectrum-row">
              <td>{entryName(e.label, e.type, e.n)}</td>
              <td>{e.n}</td>
              <td>{fmt(e.max)}</td>
              <td>{fmt(e.min)}</td>
              <td>{fmt(e.condition)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="plot-grid">
        {toeplitz.length ? (
          <Plot
            data={toeplitz}
            layout={tl}
            height={420}
            label="Toeplitz eigenvalues against symbol samples"
            testId="plot-toeplitz"
          />
        ) : null}
        {singular.length ? (
          <Plot
            data={singular}
            layout={sl}
            height={420}
            label="Singular values, log scale"
            testId="plot-singular"
          />
        ) : null}
        {norms.length ? (
          <Plot
            data={norms}
            layout={nl}
            height={420}
            label="Norm growth under repeated multiplication"
            testId="plot-norms"
          />
        ) : null}
      </div>
    </ResultFrame>
  );
}
