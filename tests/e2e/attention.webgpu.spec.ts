/**
 * The attention views in Chromium on SwiftShader: a tiny sparse-attention run draws head 0's map
 * with the mask over it and the recall-vs-density curves; the budget slider walks the ladder and the
 * readout (recall, density, error) follows; a tiny kv-projection run and its rank slider.
 */
import { expect, test } from '@playwright/test';
import { expectChartsRead } from './plot-reading';

const hashOf = (c: unknown) => `#config=${encodeURIComponent(JSON.stringify(c))}`;

test('sparse attention: map with mask, recall vs density curves, budget slider', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const sparse = {
    schema: 'smx/experiment@1',
    kind: 'sparse-attention',
    seed: 2,
    heads: 1,
    n: 128,
    d: 8,
    patterns: [{ type: 'dense' }, { type: 'vertical-slash', vertical: 16, slash: 8 }],
    curves: true,
    timing: false,
  };
  await page.goto(`./?p=attn${hashOf(sparse)}`);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 240_000,
  });
  await expect(page.getByTestId('attention-row')).toHaveCount(2);
  for (const id of ['plot-attention-map', 'plot-recall-density'])
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', /.+/);
  // Three ladders + the slider marker on one chart.
  await expect(page.locator('[data-testid=plot-recall-density] .scatterlayer .trace')).toHaveCount(4);
  const readout = page.getByTestId('attention-readout');
  const before = await readout.textContent();
  const slider = page.getByTestId('attention-budget');
  await slider.focus();
  await page.keyboard.press('End');
  await expect(readout).not.toHaveText(before ?? '');
  await expect(readout).toContainText(/recall 0?\.\d+|recall 1/);
  await page.getByTestId('attention-type').selectOption('block-sparse');
  await expect(readout).toContainText('recall');
  // Whole titles (wrapped, never clipped), legend clear of the axis titles.
  const charts = await expectChartsRead(page.getByTestId('panel-sparse-attention'));
  expect(charts.find((c) => c.testId === 'plot-recall-density')?.title).toMatch(/budget ladders\)$/);

  expect(errors).toEqual([]);
});

test('KV projection: the rank slider moves the error and compression readout', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const kv = {
    schema: 'smx/experiment@1',
    kind: 'kv-projection',
    seed: 1,
    heads: 1,
    n: 64,
    d: 8,
    ranks: [2, 4, 8],
  };
  await page.goto(`./?p=kv${hashOf(kv)}`);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 240_000,
  });
  await expect(page.getByTestId('kv-row')).toHaveCount(3);
  const kvOut = page.getByTestId('kv-readout');
  await expect(kvOut).toContainText('r = 2');
  await page.getByTestId('kv-rank').focus();
  await page.keyboard.press('End');
  await expect(kvOut).toContainText('r = 8');
  await expect(kvOut).toContainText('saved 0%');
  await expect(page.getByTestId('plot-kv-error')).toHaveAttribute('data-rendered', /.+/);
  await expectChartsRead(page.getByTestId('panel-kv-projection'));
  expect(errors).toEqual([]);
});

test('sparse attention: live budget sliders recompute recall, density and error in the worker', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const sparse = {
    schema: 'smx/experiment@1',
    kind: 'sparse-attention',
    seed: 4,
    heads: 1,
    n: 256,
    d: 8,
    patterns: [{ type: 'vertical-slash', vertical: 16, slash: 8 }],
    curves: false,
    timing: false,
  };
  await page.goto(`./?p=attn-live${hashOf(sparse)}`);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 120_000,
  });
  const live = page.getByTestId('attention-live');
  await expect(live).toContainText('Move a slider');
  const recall = page.getByRole('status', { name: 'live recall' }).or(page.getByLabel('live recall'));
  const density = page.getByLabel('live density');
  const read = async (l: typeof density) => Number(await l.textContent());
  // 100 key columns is not on the run's ladder (8, 10, 20, 41, 82, 164 at n = 256).
  await page.getByLabel('live vertical-slash vertical budget').fill('100');
  await expect(page.getByTestId('attention-live-readout')).toContainText('vertical-slash v 100 s');
  const r1 = await read(recall);
  const d1 = await read(density);
  await page.getByLabel('live vertical-slash vertical budget').fill('12');
  await expect(page.getByTestId('attention-live-readout')).toContainText('vertical-slash v 12 s');
  const r2 = await read(recall);
  const d2 = await read(density);
  for (const x of [r1, d1, r2, d2]) {
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(1);
  }
  expect(d2).toBeLessThan(d1);
  expect(r2).toBeLessThan(r1);
  await expect(page.getByTestId('plot-attention-map')).toHaveAttribute('data-rendered', /.+/);
  // The map now draws the live mask (its title says so).
  await expect(page.getByTestId('plot-attention-map')).toHaveAttribute(
    'aria-label',
    /live vertical-slash mask/,
  );
  expect(errors).toEqual([]);
});
