/**
 * The compression view (kind `compression`) in Chromium: the shipped names-tiny weights load in the
 * worker, the base validation loss is the recorded one, and the table fills with one row per
 * (method, budget). A shortened preset (three methods, no recovery) keeps it quick on SwiftShader.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

/** The shipped model's recorded validation loss (its recipe's windows, which compression reuses). */
const RECORDED: number = JSON.parse(readFileSync('public/models/names-tiny.json', 'utf8')).finalValLoss;

const hashOf = (c: unknown) => `#config=${encodeURIComponent(JSON.stringify(c))}`;

const CFG = {
  schema: 'smx/experiment@1',
  kind: 'compression',
  seed: 0,
  methods: [{ method: 'svd' }, { method: 'fwsvd' }, { method: 'blockdiag' }],
  budgets: [0.25, 0.5],
  fisherBatches: 2,
};

test('compression view: val loss vs budget per method and the summary table', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`./${hashOf(CFG)}`);
  await expect(page.getByTestId('panel-compression')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 240_000,
  });
  await expect(page.getByTestId('compression-row')).toHaveCount(6);
  // the uncompressed loss is names-tiny.json's finalValLoss, same windows as its recipe (5 digits shown)
  const base = Number(await page.getByTestId('compression-base-loss').textContent());
  expect(Math.abs(base - RECORDED)).toBeLessThan(1e-4);
  const first = Number(await page.getByTestId('compression-val-loss').first().textContent());
  expect(first).toBeGreaterThan(RECORDED - 0.5);
  expect(first).toBeLessThan(RECORDED + 2);
  await expect(page.getByTestId('compression-fwsvd')).toContainText('budget 0.25');
  // one line per method plus the base reference
  await expect(page.locator('[data-testid=plot-compression] .scatterlayer .trace')).toHaveCount(4);
});
