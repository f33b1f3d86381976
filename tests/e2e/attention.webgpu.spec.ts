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
