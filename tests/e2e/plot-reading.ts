/**
 * What a reader sees on every drawn chart (docs/ui.md, "Conventions for new views"), read from the
 * rendered SVG: every axis has a visible title, the chart title lies inside the chart (not
 * clipped), no legend covers an axis title, no text shows an internal id (a camelCase field name
 * such as "l2Error", a slash-joined key), and the layout's own check (`layoutProblems`, written by
 * Plot to data-layout-problems) found nothing.
 */
import { expect, type Locator } from '@playwright/test';

export interface ChartText {
  testId: string;
  title: string;
  xTitles: string[];
  yTitles: string[];
  problems: string[];
}

/** Reads every drawn chart under `scope` and fails with what a reader would see wrong. */
export async function expectChartsRead(scope: Locator): Promise<ChartText[]> {
  const figures = scope.locator('figure.plot');
  const n = await figures.count();
  expect(n, 'charts drawn').toBeGreaterThan(0);
  for (let i = 0; i < n; i++) await expect(figures.nth(i)).toHaveAttribute('data-rendered', /.+/);
  const charts = await figures.evaluateAll((els) =>
    els.map((fig) => {
      const problems: string[] = [];
      const testId = fig.getAttribute('data-testid') ?? '?';
      const own = fig.getAttribute('data-layout-problems');
      if (own) problems.push(...own.split('\n'));
      const svg = fig.querySelector('svg.main-svg');
      const texts = (sel: string) => [...fig.querySelectorAll<SVGGraphicsElement>(sel)];
      const text = (e: Element) => (e.textContent ?? '').trim();
      if (!svg) return { testId, title: '', xTitles: [], yTitles: [], problems: ['no SVG drawn'] };
      const box = svg.getBoundingClientRect();
      const inside = (r: DOMRect) =>
        r.left >= box.left - 1 &&
        r.right <= box.right + 1 &&
        r.top >= box.top - 1 &&
        r.bottom <= box.bottom + 1;
      const overlap = (a: DOMRect, b: DOMRect) =>
        a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      const title = texts('.gtitle').map(text).join(' ');
      for (const t of texts('.gtitle'))
        if (!inside(t.getBoundingClientRect())) problems.push(`title "${text(t)}" is clipped`);
      const cartesian = fig.querySelector('.cartesianlayer .subplot') !== null;
      const xt = texts('.infolayer text[class$="title"][class^="x"], .infolayer text.xtitle');
      const yt = texts('.infolayer text[class$="title"][class^="y"], .infolayer text.ytitle');
      if (cartesian) {
        if (!xt.some((t) => text(t))) problems.push('x axis without a title');
        if (!yt.some((t) => text(t))) problems.push('y axis without a title');
      }
      for (const t of [...xt, ...yt]) {
        const r = t.getBoundingClientRect();
        if (text(t) && !inside(r)) problems.push(`axis title "${text(t)}" is clipped`);
      }
      const legend = fig.querySelector<SVGGElement>('g.legend');
      if (legend) {
        const lr = legend.getBoundingClientRect();
        for (const t of [...xt, ...yt])
          if (text(t) && overlap(lr, t.getBoundingClientRect()))
            problems.push(`the legend covers the axis title "${text(t)}"`);
        if (!inside(lr)) problems.push('the legend is cut off');
      }
      // Internal ids in any text a reader sees (titles, ticks, legend).
      const all = texts('.infolayer text, .xtick text, .ytick text').map(text);
      for (const s of all) {
        const m = /(?<![\p{L}\p{N}])[a-z]+[0-9]*[A-Z][A-Za-z0-9]*/u.exec(s);
        if (m && !/LoRA$/.test(m[0])) problems.push(`"${s}" shows the internal id "${m[0]}"`);
        if (/[A-Za-z0-9=]{2,}\/[A-Za-z]{2,}|#\d+/.test(s)) problems.push(`"${s}" shows an internal key`);
      }
      return {
        testId,
        title,
        xTitles: xt.map(text),
        yTitles: yt.map(text),
        problems,
      };
    }),
  );
  expect(
    charts.filter((c) => c.problems.length).map((c) => `${c.testId}: ${c.problems.join('; ')}`),
    'what a reader sees on the charts',
  ).toEqual([]);
  return charts;
}
