import { describe, expect, it } from 'vitest';
import { compareFigures } from './compare';

const res = (summary: unknown, series = {}, artifacts = {}) => ({ summary, series, artifacts });

describe('compareFigures', () => {
  it('absolute below 1, relative above; a list is scaled by its largest entry', () => {
    const a = res({ err: 0.5, norm: 1000, sv: [10, 1e-6] });
    const b = res({ err: 0.5002, norm: 1000.5, sv: [10, 2e-6] });
    const c = compareFigures(a, b, { tolerance: 1e-3 });
    expect(c.compared).toBe(4);
    expect(c.mismatches).toEqual([]);
    expect(c.largest?.path).toBe('summary.norm');
    expect(c.largest?.diff).toBeCloseTo(0.5 / 1000.5, 12);
    const d = compareFigures(a, b, { tolerance: 1e-4 });
    expect(d.mismatches.map((m) => m.path)).toEqual(['summary.norm', 'summary.err']);
    expect(d.mismatches[1].diff).toBeCloseTo(2e-4, 12);
  });

  it('ignored keys, series prefixes and paths are left out; shape and text must match', () => {
    const a = res({ m: [{ ms: 1, label: 'a' }], name: 'x.npy' }, { 'ms/a': [{ step: 1, value: 2 }] });
    const b = res({ m: [{ ms: 9, label: 'a' }], name: 'y.npy' }, { 'ms/a': [{ step: 1, value: 7 }] });
    expect(
      compareFigures(a, b, { ignoreKeys: ['ms'], ignoreSeries: ['ms/'], ignorePaths: ['summary.name'] })
        .mismatches,
    ).toEqual([]);
    const c = compareFigures(a, res({ m: [{ ms: 1, label: 'b' }, {}], name: 'x.npy' }));
    expect(c.mismatches.map((m) => m.path)).toEqual(['summary.m', 'series["ms/a"]']);
    const s = compareFigures(
      res(null, { 'error/x': [{ step: 4, value: 0.5 }] }),
      res(null, { 'error/x': [{ step: 4, value: 0.7 }] }),
    );
    expect(s.mismatches.map((m) => m.path)).toEqual(['series["error/x"][0].value']);
    expect(compareFigures(res({ v: Number.NaN }), res({ v: Number.NaN })).mismatches).toEqual([]);
    expect(compareFigures(res({ v: 1 }), res({ v: Number.NaN })).mismatches).toHaveLength(1);
  });
});
