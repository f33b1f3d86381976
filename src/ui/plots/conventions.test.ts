/** Plot conventions (pure): family colours and names, decade-only log axes, legends, heatmap geometry. */

import type { Data, Layout } from 'plotly.js-dist-min';
import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES } from '../../structured/specs';
import { kernelName } from '../panels/SpeedupPanel';
import {
  AXIS,
  chartTitle,
  decadeRange,
  estimateWidth,
  FAMILIES,
  familyColour,
  familyName,
  fitLayout,
  heatmapGeometry,
  internalId,
  LAYOUT_PX,
  layoutProblems,
  legendOncePerGroup,
  linearAxis,
  logAxis,
  REFERENCE,
} from './conventions';

/** Distance between two #rrggbb colours in RGB (0–441). */
function dist(a: string, b: string): number {
  const p = (s: string) => [1, 3, 5].map((i) => Number.parseInt(s.slice(i, i + 2), 16));
  const [x, y] = [p(a), p(b)];
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
}

describe('family colours and names', () => {
  it('every family has its own colour, far from every other family and from the neutral references', () => {
    for (const f of FAMILY_NAMES) {
      expect(FAMILIES[f], f).toBeDefined();
      expect(familyName(f).length).toBeGreaterThan(0);
    }
    const colours = FAMILY_NAMES.map(familyColour);
    for (let i = 0; i < colours.length; i++)
      for (let j = i + 1; j < colours.length; j++)
        expect(dist(colours[i], colours[j]), `${FAMILY_NAMES[i]} vs ${FAMILY_NAMES[j]}`).toBeGreaterThan(70);
    for (const c of colours)
      for (const r of Object.values(REFERENCE)) expect(dist(c, r.colour)).toBeGreaterThan(60);
  });
});

describe('logAxis', () => {
  it('labels decades only, as powers of ten, over whole decades around the data', () => {
    expect(logAxis('σ', [3e-3, 0.5, 2]).dtick).toBe(1);
    // A long range labels every 3rd decade (still powers of ten, never 2 or 5 × 10ᵏ).
    const a = logAxis('σ', [3e-13, 0.5, 2]);
    expect(a.dtick).toBe(3);
    expect(a.exponentformat).toBe('power');
    expect(a.range).toEqual([-13, 1]);
  });
  it('data within one decade still gets two labelled decades; zeros and NaN are ignored', () => {
    expect(decadeRange(0.35, 0.87)).toEqual([-1, 0]);
    expect(logAxis('e', [0, Number.NaN, 0.35, 0.87]).range).toEqual([-1, 0]);
    expect(logAxis('e', [0]).range).toBeUndefined();
    // A value on a decade gets a little margin so its marker is not cut in half.
    expect(decadeRange(1, 100)).toEqual([-0.05, 2.05]);
  });
});

describe('legendOncePerGroup', () => {
  it('one entry per group, named by the group; ungrouped traces untouched', () => {
    const out = legendOncePerGroup(
      [{ legendgroup: 'lowrank' }, { legendgroup: 'lowrank' }, { name: 'W' }, { legendgroup: 'sparse' }],
      familyName,
    ) as Array<{ name?: string; showlegend?: boolean }>;
    expect(out.map((t) => t.showlegend)).toEqual([true, false, undefined, true]);
    expect(out.map((t) => t.name)).toEqual(['Low rank', undefined, 'W', 'Sparse']);
  });
});

describe('heatmapGeometry', () => {
  it("cells sit in the matrix's rows and columns, one unit the same length on both axes", () => {
    const g = heatmapGeometry({ rows: 100, cols: 80 }, { rows: 32, cols: 32 });
    expect(g.dx).toBeCloseTo(80 / 32);
    expect(g.dy).toBeCloseTo(100 / 32);
    // First cell centre, last cell centre: inside [-0.5, n - 0.5].
    expect(g.x0 - g.dx / 2).toBeCloseTo(-0.5);
    expect(g.y0 + 31 * g.dy + g.dy / 2).toBeCloseTo(99.5);
    expect(g.yaxis.scaleanchor).toBe('x');
    expect(g.yaxis.range).toEqual([99.5, -0.5]);
    expect(g.xaxis.range).toEqual([-0.5, 79.5]);
  });
});

describe('kernelName', () => {
  it('drops the size suffix the speedup kind appends, keeps user labels', () => {
    expect(kernelName({ label: 'Monarch (m1 = 8) n=64 b=32', n: 64, batch: 32 })).toBe('Monarch (m1 = 8)');
    expect(kernelName({ label: 'mine', n: 64, batch: 32 })).toBe('mine');
  });
});

/** The training view's chart: 6 models × (train, validation), the legend the old layout gave. */
const TRAIN: Data[] = ['dense', 'Low rank (r = 5)', 'Monarch (m1 = 8)', 'Block-diagonal (4 blocks)']
  .flatMap((m) => [`${m} train`, `${m} validation`])
  .map((name) => ({ type: 'scatter', name, x: [1, 2], y: [4, 3] }) as Data);
const OLD_LEGEND = { orientation: 'h', yanchor: 'top', y: -0.3, x: 0 } as Layout['legend'];
const base = (extra: Partial<Layout> = {}): Partial<Layout> => ({
  title: chartTitle('Cross-entropy loss (nats per character)'),
  xaxis: linearAxis('optimizer step'),
  yaxis: linearAxis('loss (nats)'),
  ...extra,
});

describe('layoutProblems: what a reader would see wrong', () => {
  it('a legend placed under the plot area in paper units (it lands on the x-axis title) fails', () => {
    const p = layoutProblems(base({ legend: OLD_LEGEND, margin: { b: 48 } }), TRAIN, 720);
    expect(p.join('\n')).toMatch(/legend placed at paper y = -0.3: it can cover an axis title/);
  });
  it('a bottom legend band without room for its rows below the axis band fails', () => {
    const { layout } = fitLayout(base(), TRAIN, { width: 360, height: 320 });
    expect(layoutProblems(layout, TRAIN, 360)).toEqual([]);
    const squeezed = { ...layout, margin: { ...layout.margin, b: LAYOUT_PX.xAxisBand } };
    expect(layoutProblems(squeezed, TRAIN, 360).join('\n')).toMatch(/no room for the x-axis title/);
  });
  it('an axis without a title fails; so does an internal id as a label', () => {
    const noTitle = base({ yaxis: { type: 'log' } });
    expect(layoutProblems(noTitle, TRAIN.slice(0, 1), 720)).toEqual(['yaxis has no title']);
    const id = base({ yaxis: logAxis('l2Error', [1, 10]) });
    expect(layoutProblems(id, TRAIN.slice(0, 1), 720)).toEqual([
      'yaxis title "l2Error" shows the internal id "l2Error"',
    ]);
    const key = [
      { name: 'random n=64 #4/gaussian', y: [1] },
      { name: 'W', y: [1] },
    ] as Data[];
    const { layout } = fitLayout(base(), key, { width: 720, height: 320 });
    expect(layoutProblems(layout, key, 720).join('\n')).toMatch(/legend entry .* internal id/);
  });
  it('a title wider than the chart fails unless fitLayout wraps it; every wrapped line fits', () => {
    const long = 'Head 0 attention (log10) with the vertical-slash mask over its causal map';
    const raw = base({ title: { ...chartTitle(long), xref: 'paper' } });
    expect(layoutProblems(raw, [], 360).join('\n')).toMatch(/wider than the chart: clipped/);
    const { layout, height } = fitLayout(raw, [], { width: 360, height: 320 });
    const lines = (layout.title as { text: string }).text.split('<br>');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(' ')).toBe(long);
    for (const l of lines) expect(estimateWidth(l, 14)).toBeLessThanOrEqual(360 - 2 * LAYOUT_PX.pad);
    expect(layoutProblems(layout, [], 360)).toEqual([]);
    // The chart grows by the extra line, so the plotting area keeps its height.
    expect(height).toBe(320 + (layout.margin?.t ?? 0) - 32);
  });
  it('an axis title longer than the chart fails', () => {
    const y = base({ yaxis: linearAxis(`${AXIS.relFrob} — ${AXIS.relFrob} — ${AXIS.relFrob}`) });
    expect(layoutProblems({ ...y, height: 260 }, TRAIN.slice(0, 1), 720).join('\n')).toMatch(
      /yaxis title .* clipped/,
    );
  });
});

describe('fitLayout', () => {
  it('puts the legend in its own band below the x-axis title and grows the chart by its rows', () => {
    const { layout, height } = fitLayout(base({ legend: OLD_LEGEND }), TRAIN, { width: 720, height: 320 });
    const lg = layout.legend as Record<string, unknown>;
    expect(lg).toMatchObject({ orientation: 'h', yref: 'container', y: 0, yanchor: 'bottom' });
    // Two columns at 720 px (train / validation side by side), four rows.
    const rows = 4;
    const band = rows * LAYOUT_PX.legendRow + 12;
    expect(layout.margin?.b).toBe(LAYOUT_PX.xAxisBand + band);
    const top = (layout.margin?.t ?? 0) - 32; // a one-line title: 35 px for 32
    expect(height).toBe(320 + top + LAYOUT_PX.xAxisBand + band - 48);
    expect(lg.maxheight as number).toBeGreaterThan(band);
    expect(layoutProblems(layout, TRAIN, 720)).toEqual([]);
  });
  it('narrow charts get one column; one trace gets no legend at all', () => {
    const narrow = fitLayout(base(), TRAIN, { width: 300, height: 320 });
    expect(narrow.layout.margin?.b).toBe(LAYOUT_PX.xAxisBand + TRAIN.length * LAYOUT_PX.legendRow + 12);
    const one = fitLayout(base({ margin: { t: 40 } }), TRAIN.slice(0, 1), { width: 600, height: 320 });
    expect(one.layout.legend).toBeUndefined();
    expect(one.height).toBe(320);
  });
});

describe('internalId', () => {
  it('finds field names, keys, counters and family ids; passes names a reader knows', () => {
    expect(internalId('l2Error')).toBe('l2Error');
    expect(internalId('linfRatio (measured ε)')).toBe('linfRatio');
    expect(internalId('loss/full')).toBe('loss/full');
    expect(internalId('random n=64 #4')).toBe('#4');
    expect(internalId('nm-sparse')).toBe('nm-sparse');
    expect(internalId('lowrank')).toBe('lowrank');
    for (const ok of [
      'N:M sparse',
      'Low rank (r = 8)',
      'Gaussian N(0, 1/D)',
      'speedup (dense ms / structured ms)',
      'rsLoRA (r = 4)',
      'CountSketch (sparse)',
      'Monarch (m1 = 8), n = 64',
      '‖x_k‖ (unitless)',
      'log10 p',
      'Sparse + low-rank (r = 3, 5%)',
    ])
      expect(internalId(ok), ok).toBeNull();
  });
});
