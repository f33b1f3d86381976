/**
 * Screenshots of every view for docs/ (docs/screenshots/*.png) and README (docs/screenshot.png).
 * Skipped unless SMX_SCREENSHOTS=1: `npx vite build && SMX_SCREENSHOTS=1 npx playwright test screenshots`.
 * Each view runs its shipped preset (public/experiments/), so the pictures show what a new user sees.
 * Look at every picture (docs/ui.md, "Conventions for new views") before calling a plot change done.
 */
import { mkdirSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { expectChartsRead } from './plot-reading';

test.skip(!process.env.SMX_SCREENSHOTS, 'set SMX_SCREENSHOTS=1 to refresh docs/screenshots');
test.setTimeout(300_000);

const OUT = 'docs/screenshots';

async function runPreset(page: Page, presetLabel: RegExp) {
  await page.goto('./?autorun=0');
  const picker = page.getByRole('combobox', { name: 'Preset' });
  await expect(picker).toBeEnabled();
  const option = picker.locator('option').filter({ hasText: presetLabel });
  await picker.selectOption((await option.getAttribute('value')) ?? '');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 240_000,
  });
  // Every chart drawn (Plotly loads on first use: seconds on a busy CPU).
  const plots = page.locator('main figure.plot');
  for (let i = 0; i < (await plots.count()); i++)
    await expect(plots.nth(i)).toHaveAttribute('data-rendered', /.+/, { timeout: 120_000 });
  await page.waitForTimeout(300);
}

test.beforeAll(() => mkdirSync(OUT, { recursive: true }));

test('screenshots: approximation (live + result) and the whole page', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await runPreset(page, /Equal-budget/);
  await expect(page.getByTestId('live-heat-diff')).toHaveAttribute('data-rendered', /.+/);
  await page.getByTestId('panel-live').screenshot({ path: `${OUT}/live.png` });
  await page.getByTestId('panel-approximation').screenshot({ path: `${OUT}/approximation.png` });
  await expectChartsRead(page.getByTestId('panel-live'));
  await expectChartsRead(page.getByTestId('panel-approximation'));
  await page.screenshot({ path: 'docs/screenshot.png', fullPage: true });
});

test('screenshots: spectrum', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await runPreset(page, /Spectra:/);
  await page.getByTestId('panel-spectrum').screenshot({ path: `${OUT}/spectrum.png` });
  await expectChartsRead(page.getByTestId('panel-spectrum'));
});

test('screenshots: speedup', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await runPreset(page, /Structured apply/);
  await page.getByTestId('panel-speedup').screenshot({ path: `${OUT}/speedup.png` });
  await expectChartsRead(page.getByTestId('panel-speedup'));
});

// The views added with training, attention, adapters and transforms, each from its shipped preset.
const NEW_VIEWS: Array<[name: string, preset: RegExp, panel: string]> = [
  ['training', /Pretrain a tiny char transformer/, 'panel-pretrain'],
  ['sparse-attention', /Sparse attention patterns/, 'panel-sparse-attention'],
  ['kv-projection', /KV projection/, 'panel-kv-projection'],
  ['finetune', /Teacher–student regression/, 'panel-finetune'],
  ['sketch', /Sketched least squares/, 'panel-sketch'],
  ['binding', /MBAT:/, 'panel-binding'],
  ['compression', /Compress names-tiny/, 'panel-compression'],
];
for (const [name, preset, panel] of NEW_VIEWS)
  test(`screenshots: ${name}`, async ({ page }) => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await runPreset(page, preset);
    await page.getByTestId(panel).screenshot({ path: `${OUT}/${name}.png` });
    await expectChartsRead(page.getByTestId(panel));
  });
