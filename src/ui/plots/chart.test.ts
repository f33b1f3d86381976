/** The self-check chart's data (pure) and the theme's layout merge. */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../runtime/selfcheck';
import { errorChartData, LOG_FLOOR } from './SelfCheckErrorChart';
import { plotColors, themedLayout } from './theme';

const r = (name: string, maxError: number, ok: boolean): CheckResult => ({
  name,
  detail: 'd',
  maxError,
  bound: 1e-5,
  ok,
  ms: 1,
});

describe('errorChartData', () => {
  it('bars per check coloured by verdict, zero at the log floor, NaN left out, bounds as markers', () => {
    const [bars, bounds] = errorChartData(
      [r('a', 3e-7, true), r('b', 0, true), r('c', Number.NaN, false)],
      'green',
      'red',
      'grey',
    ) as Array<{ x: string[]; y: Array<number | null>; marker: { color: unknown }; hovertext: string[] }>;
    expect(bars.x).toEqual(['a', 'b', 'c']);
    expect(bars.y).toEqual([3e-7, LOG_FLOOR, null]);
    expect(bars.marker.color).toEqual(['green', 'green', 'red']);
    expect(bars.hovertext[1]).toContain('error 0 · bound 1.0e-5');
    expect(bars.hovertext[2]).toContain('FAIL');
    expect(bounds.y).toEqual([1e-5, 1e-5, 1e-5]);
  });
});

describe('themedLayout', () => {
  it('uses the scheme colours and keeps caller axis settings', () => {
    const dark = plotColors(true);
    const light = plotColors(false);
    expect(dark.text).not.toBe(light.text);
    const l = themedLayout(dark, { yaxis: { type: 'log' } });
    expect(l.font?.color).toBe(dark.text);
    expect(l.yaxis?.type).toBe('log');
    expect(l.yaxis?.gridcolor).toBe(dark.grid);
    expect(l.paper_bgcolor).toBe('rgba(0,0,0,0)');
  });
});
