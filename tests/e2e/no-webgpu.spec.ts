/**
 * The page in a Chromium without usable WebGPU must explain what to do, never go blank.
 * This project launches Chromium without --enable-unsafe-webgpu: on Linux headless that leaves
 * navigator.gpu in place but gives no adapter (the worker reports WebGPUUnavailableError).
 */
import { expect, type Page, test } from '@playwright/test';

async function expectExplanation(page: Page, reason: RegExp) {
  const panel = page.getByTestId('webgpu-unavailable');
  await expect(panel).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByRole('heading')).toHaveText('WebGPU unavailable');
  await expect(page.getByTestId('webgpu-unavailable-reason')).toHaveText(reason);
  // Which browsers, which Linux flags, and the secure-context rule.
  await expect(panel).toContainText('Chrome or Edge 113+');
  await expect(panel).toContainText('Firefox');
  await expect(panel).toContainText('Safari');
  await expect(panel).toContainText('chrome://flags/#enable-unsafe-webgpu');
  await expect(panel).toContainText('--enable-unsafe-webgpu');
  await expect(panel).toContainText('https');
  await expect(panel).toContainText('localhost');
  await expect(page.getByTestId('selfcheck-panel')).toHaveCount(0);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
}

test('no adapter: the worker reports it and the page explains', async ({ page }) => {
  await page.goto('./');
  // Sanity of the setup: this browser really has no WebGPU adapter.
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    return gpu ? (await gpu.requestAdapter()) !== null : false;
  });
  expect(adapter).toBe(false);
  await expectExplanation(page, /no GPU adapter/);
});

test('no navigator.gpu: the main thread notices before starting the worker', async ({ page }) => {
  await page.addInitScript(() => {
    delete (Navigator.prototype as { gpu?: unknown }).gpu;
  });
  await page.goto('./');
  expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
  await expectExplanation(page, /navigator\.gpu is missing/);
});
