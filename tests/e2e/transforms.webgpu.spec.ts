/**
 * The `sketch` and `binding` views in Chromium on SwiftShader: a tiny run of each through the
 * worker draws its table and plots (log axes for the sketch errors over m), and a dropped JSON
 * array of records becomes a binding config that runs. Sizes are tiny: SwiftShader is a CPU.
 */
import { expect, type Page, test } from '@playwright/test';
import { expectChartsRead } from './plot-reading';

const hashOf = (c: unknown) => `#config=${encodeURIComponent(JSON.stringify(c))}`;

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

// The first run of a page also waits for the app's background pipeline compiles (seconds each here).
async function waitFinished(page: Page, timeout = 100_000) {
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout });
}

test('sketch: error vs m per sketch on log axes', async ({ page }) => {
  const errors = collectErrors(page);
  const sketch = {
    schema: 'smx/experiment@1',
    kind: 'sketch',
    seed: 1,
    problem: { type: 'coherent', n: 64, d: 4, blockStd: 0.05 },
    m: [8, 32],
    trials: 1,
  };
  await page.goto(`./${hashOf(sketch)}`);
  await waitFinished(page);
  await expect(page.getByTestId('sketch-row')).toHaveCount(8);
  // Plotly (4.8 MB) loads on the first chart: 20+ s on a loaded 2-core machine (measured at load 20).
  for (const id of ['plot-linf', 'plot-l2'])
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', /.+/, { timeout: 60_000 });
  // One line per sketch type, both axes logarithmic.
  await expect(page.locator('[data-testid=plot-linf] .scatterlayer .trace')).toHaveCount(4);
  const axisTypes = await page.evaluate(() => {
    const el = document.querySelector('[data-testid=plot-linf] .js-plotly-plot') as unknown as {
      _fullLayout?: { xaxis: { type: string }; yaxis: { type: string } };
    } | null;
    return el?._fullLayout ? [el._fullLayout.xaxis.type, el._fullLayout.yaxis.type] : null;
  });
  if (axisTypes) expect(axisTypes).toEqual(['log', 'log']);
  // What a reader sees: human axis titles with units (never the field id "l2Error"), whole titles.
  const charts = await expectChartsRead(page.getByTestId('panel-sketch'));
  const byId = Object.fromEntries(charts.map((c) => [c.testId, c]));
  expect(byId['plot-l2'].yTitles).toEqual(['relative ℓ2 error (unitless)']);
  expect(byId['plot-linf'].yTitles).toEqual(['measured ε (ratio, unitless)']);
  expect(byId['plot-linf'].xTitles).toEqual(['sketch rows m (count)']);
  expect(byId['plot-linf'].title).toBe('ℓ∞ guarantee: measured ε vs m');
  await expect(page.getByTestId('panel-sketch').locator('th')).not.toContainText(['l2Error']);
  expect(errors).toEqual([]);
});

test('binding: norm vs depth and accuracy per binding', async ({ page }) => {
  const errors = collectErrors(page);
  const binding = {
    schema: 'smx/experiment@1',
    kind: 'binding',
    seed: 1,
    dim: 16,
    bindings: ['orthogonal', 'gaussian'],
    maxDepth: 4,
    trials: 4,
    wrapDepths: [0, 2],
  };
  await page.goto(`./${hashOf(binding)}`);
  await waitFinished(page);
  await expect(page.getByTestId('binding-row')).toHaveCount(2);
  await expect(page.getByTestId('binding-reading')).toContainText('Our reading');
  for (const id of ['plot-binding-norms', 'plot-binding-accuracy'])
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', /.+/, { timeout: 60_000 });
  await expectChartsRead(page.getByTestId('panel-binding'));
  expect(errors).toEqual([]);
});

test('a dropped JSON array of records becomes a binding config (the link carries the records)', async ({
  page,
}) => {
  await page.goto(`./?autorun=0${hashOf({ schema: 'smx/experiment@1', kind: 'sketch', seed: 1, m: [8] })}`);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  await page.evaluate(() => {
    const records = [
      { id: 1, tags: ['a', 'b'], owner: { name: 'x', age: 30 } },
      { id: 2, tags: ['b'], owner: { name: 'y', age: 41 } },
      { id: 3, tags: [], owner: { name: 'zed', age: 52 } },
    ];
    const dt = new DataTransfer();
    dt.items.add(new File([JSON.stringify(records)], 'records.json', { type: 'application/json' }));
    document
      .querySelector('[data-testid="drop-zone"]')
      ?.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect
    .poll(() => {
      const hash = decodeURIComponent(new URL(page.url()).hash);
      return hash.includes('"kind":"binding"') && hash.includes('"name":"zed"');
    })
    .toBe(true);
});
