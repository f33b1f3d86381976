/**
 * The fine-tune view (kind `finetune`) in Chromium: the loss chart redraws with more points while the
 * run is still going (watched from inside the page, so no timing race), every method gets a row with
 * its trainable parameters, and an adapter downloads as the CLI's PEFT file (its safetensors header
 * read back: PEFT key names).
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { expectChartsRead } from './plot-reading';

const hashOf = (c: unknown) => `#config=${encodeURIComponent(JSON.stringify(c))}`;

const FT = {
  schema: 'smx/experiment@1',
  kind: 'finetune',
  seed: 1,
  base: { type: 'teacher-student', rows: 8, cols: 6, rank: 2, samples: 64 },
  steps: 2,
  batch: 16,
  evalEvery: 10,
  lr: 0.02,
  methods: [{ adapter: 'lora', rank: 2 }, { adapter: 'full' }],
};

declare global {
  interface Window {
    __ftSeen?: Array<{ rendered: string; status: string }>;
  }
}

test('fine-tune view: curves redraw live before the run ends; an adapter downloads as PEFT safetensors', async ({
  page,
}) => {
  test.setTimeout(120_000);
  // Record every chart redraw (data-rendered = `<result id>-<points>`) with the run's status then.
  await page.addInitScript(() => {
    const seen: Array<{ rendered: string; status: string }> = [];
    window.__ftSeen = seen;
    setInterval(() => {
      const rendered = document
        .querySelector('[data-testid=plot-finetune-loss]')
        ?.getAttribute('data-rendered');
      const status = document.querySelector('[data-testid=run-status]')?.getAttribute('data-status');
      const last = seen[seen.length - 1];
      if (rendered && status && (last?.rendered !== rendered || last?.status !== status))
        seen.push({ rendered, status });
    }, 15);
  });
  // A first, two-step run from the link loads the chart library and compiles the kernels …
  await page.goto(`./${hashOf(FT)}`);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 90_000,
  });
  // … then the Steps control (by its accessible name) asks for 20 and Run starts the watched run.
  await page.getByRole('spinbutton', { name: 'Steps' }).fill('20');
  await page.getByRole('spinbutton', { name: 'Steps' }).press('Enter');
  await page.evaluate(() => {
    (window.__ftSeen as unknown[]).length = 0;
  });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect
    .poll(async () => page.evaluate(() => window.__ftSeen?.some((s) => s.status === 'finished')), {
      timeout: 90_000,
    })
    .toBe(true);
  const seen = (await page.evaluate(() => window.__ftSeen)) ?? [];
  const pointsWhileRunning = [
    ...new Set(seen.filter((s) => s.status === 'running').map((s) => Number(s.rendered.split('-').pop()))),
  ].filter((n) => n > 0);
  // at least two different, growing point counts drawn before the run finished
  expect(pointsWhileRunning.length, JSON.stringify(seen.slice(0, 20))).toBeGreaterThanOrEqual(2);
  expect(Math.max(...pointsWhileRunning)).toBeGreaterThan(Math.min(...pointsWhileRunning));
  // the finished chart has every point: 2 × 20 losses + 2 × 2 validation losses + 2 trainable counts
  await expect(page.getByTestId('finetune-points')).toHaveText('46 points streamed');

  const rows = page.getByTestId('finetune-row');
  await expect(rows).toHaveCount(2);
  // trainable parameters beside each method: LoRA r(in + out) = 2·14, full 8·6
  await expect(page.getByTestId('finetune-trainable')).toHaveText(['28', '48']);
  await expect(page.locator('[data-testid=plot-finetune-loss] .scatterlayer .trace')).toHaveCount(4);
  // One colour per method (train and validation alike), names a reader knows, legend below the axis.
  const [chart] = await expectChartsRead(page.getByTestId('panel-finetune'));
  expect(chart.yTitles).toEqual(['loss (mean squared error)']);
  await expect(page.getByTestId('plot-finetune-loss').locator('.legendtext')).toContainText([
    'LoRA (r = 2) train',
    'LoRA (r = 2) validation',
  ]);

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download lora-r2 adapter_model.safetensors' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('adapter_model.safetensors');
  const bytes = readFileSync((await download.path()) as string);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[] }
  >;
  expect(
    Object.keys(header)
      .filter((k) => k !== '__metadata__')
      .sort(),
  ).toEqual(['base_model.model.linear.lora_A.weight', 'base_model.model.linear.lora_B.weight']);
  expect(header['base_model.model.linear.lora_A.weight'].shape).toEqual([2, 6]);
  expect(header['base_model.model.linear.lora_B.weight'].shape).toEqual([8, 2]);
  // the config beside it, and the merged weights for full fine-tuning
  await expect(page.getByRole('button', { name: 'Download lora-r2 adapter_config.json' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download full model.safetensors' })).toBeVisible();
});
