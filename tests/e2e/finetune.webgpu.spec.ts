/** The fine-tune view (kind `finetune`) in Chromium: curves for every method grow live, the table fills. */
import { expect, test } from '@playwright/test';

const hashOf = (c: unknown) => `#config=${encodeURIComponent(JSON.stringify(c))}`;

const FT = {
  schema: 'smx/experiment@1',
  kind: 'finetune',
  seed: 1,
  base: { type: 'teacher-student', rows: 8, cols: 6, rank: 2, samples: 64 },
  steps: 40,
  batch: 16,
  evalEvery: 10,
  lr: 0.02,
  methods: [{ adapter: 'lora', rank: 2 }, { adapter: 'full' }],
};

test('fine-tune view: loss curves of every method and the summary table', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`./${hashOf(FT)}`);
  await expect(page.getByTestId('panel-finetune')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('finetune-row')).toHaveCount(2, { timeout: 240_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 60_000,
  });
  await expect(page.locator('[data-testid=plot-finetune-loss] .scatterlayer .trace')).toHaveCount(4);
});
