/** Plot conventions (pure): family colours and names, decade-only log axes, legends, heatmap geometry. */
import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES } from '../../structured/specs';
import { kernelName } from '../panels/SpeedupPanel';
import {
  decadeRange,
  FAMILIES,
  familyColour,
  familyName,
  heatmapGeometry,
  legendOncePerGroup,
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
