/**
 * The training view (kind `pretrain`) in Chromium: the run trains in the worker, the loss curve
 * and the step counter update while it runs (checked before it finishes), Stop keeps what was
 * trained (cancelled result with its curve), and the run lands in history. A text sample from the
 * model (every `sampleEvery` steps) shows in the view while it trains.
 */
import { expect, test } from '@playwright/test';
import { expectChartsRead } from './plot-reading';

const hashOf = (c: unknown) => `#config=${encodeURIComponent(JSON.stringify(c))}`;

const TRAIN = {
  schema: 'smx/experiment@1',
  kind: 'pretrain',
  seed: 2,
  corpus: 'names',
  model: { layers: 1, dModel: 16, heads: 2, context: 8 },
  models: [{ family: 'dense' }],
  optimizer: { name: 'adamw', lr: 0.01 },
  steps: 400,
  batch: 4,
  evalEvery: 10,
  evalWindows: 4,
  sampleEvery: 20,
  sampleTokens: 10,
};

test('training view: the loss curve and text samples update live before the run ends; Stop keeps it', async ({
  page,
}) => {
  test.setTimeout(420_000);
  await page.goto(`./?p=train${hashOf(TRAIN)}`);
  await expect(page.getByTestId('panel-pretrain')).toBeVisible({ timeout: 60_000 });
  const step = page.getByTestId('train-step');
  // Two different step counts seen while the run is still running: the curve grows live.
  await expect
    .poll(async () => Number(await step.textContent().catch(() => '0')), { timeout: 300_000 })
    .toBeGreaterThan(1);
  const first = Number(await step.textContent());
  const firstRev = await page.getByTestId('plot-loss').getAttribute('data-rendered');
  await expect
    .poll(async () => Number(await step.textContent()), { timeout: 60_000 })
    .toBeGreaterThan(first + 1);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running');
  // Plotly (4.8 MB) loads lazily: on a loaded 2-core machine its first draw can take a minute
  await expect
    .poll(() => page.getByTestId('plot-loss').getAttribute('data-rendered'), { timeout: 90_000 })
    .not.toBe(firstRev);
  await expect(page.getByTestId('train-progress')).toContainText('tokens/s');
  // a text sample from the model, streamed while it trains (sampleEvery 20: at step 20 on)
  const sample = page.getByTestId('train-sample').first();
  await expect(sample).toContainText(/^step \d+: \S/, { timeout: 120_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'cancelled', {
    timeout: 60_000,
  });
  // What was trained is kept: the curve and its step count survive the stop.
  expect(Number(await step.textContent())).toBeGreaterThan(first);
  await expect(page.locator('[data-testid=plot-loss] .scatterlayer .trace')).not.toHaveCount(0);
  await expect(sample).toContainText(/^step \d+: \S/);
  // The legend has its own band below "optimizer step", never over it.
  const [chart] = await expectChartsRead(page.getByTestId('panel-pretrain'));
  expect(chart.xTitles).toEqual(['optimizer step']);
});
