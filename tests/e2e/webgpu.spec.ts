/**
 * The production page in Chromium with WebGPU (SwiftShader here): it shows the adapter and the
 * in-page kernel self-check (run on demand from the sidebar) passes, without a console error.
 * Pages open with ?autorun=0 so the playground's default run does not compete for the CPU.
 */
import { expect, type Page, test } from '@playwright/test';
import { expectChartsRead } from './plot-reading';

/** Every console error and uncaught page error from the moment the page starts loading. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return errors;
}

// SwiftShader compiles each pipeline in ~1 s on two shared cores: allow a minute for the run.
const SELF_CHECK_TIMEOUT = 90_000;

async function waitForVerdict(page: Page): Promise<string> {
  const status = page.getByTestId('selfcheck-status');
  if ((await status.textContent()) === 'Not run') await page.getByTestId('run-selfcheck').click();
  await expect(status).toHaveText(/PASS|FAIL/, { timeout: SELF_CHECK_TIMEOUT });
  return (await status.textContent()) ?? '';
}

test('shows the adapter and the kernel self-check passes', async ({ page }, testInfo) => {
  await page.goto('./?autorun=0');
  await expect(page).toHaveTitle('Structured-matrix playground');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Structured-matrix playground');

  // Adapter: SwiftShader here, a named vendor on a real GPU.
  const panel = page.getByTestId('adapter-panel');
  await expect(panel.getByTestId('adapter-architecture')).not.toHaveText('—');
  const arch = (await panel.getByTestId('adapter-architecture').textContent()) ?? '';
  const vendor = (await panel.getByTestId('adapter-vendor').textContent()) ?? '';
  expect(arch === 'swiftshader' || (vendor !== '' && vendor !== '—'), `vendor=${vendor} arch=${arch}`).toBe(
    true,
  );
  await expect(panel.getByTestId('adapter-fallback')).toHaveText(/^(yes|no)$/);
  await expect(panel.getByTestId('limit-maxStorageBufferBindingSize')).toHaveText(
    /\d+(\.\d+)? (B|KiB|MiB|GiB)/,
  );
  await expect(panel.getByTestId('limit-maxComputeInvocationsPerWorkgroup')).toHaveText(/^\d+$/);
  await expect(panel.getByTestId('adapter-timestamps')).toHaveText(/^(yes|no)/);
  if (arch === 'swiftshader') {
    // What the project's notes record for SwiftShader: 1 GiB bindings (requested), 256 invocations.
    await expect(panel.getByTestId('limit-maxStorageBufferBindingSize')).toHaveText('1 GiB');
    await expect(panel.getByTestId('limit-maxComputeInvocationsPerWorkgroup')).toHaveText('256');
    await expect(panel.getByTestId('adapter-features')).toContainText('timestamp-query');
  }

  // Self-check: PASS, every row ok, each with a finite error.
  const verdict = await waitForVerdict(page);
  const rows = page.getByTestId('check-row');
  const n = await rows.count();
  const table = (await rows.allTextContents()).map((t) => t.replace(/\s+/g, ' '));
  testInfo.annotations.push({ type: 'self-check', description: table.join('\n') });
  expect(verdict, table.join('\n')).toBe('PASS');
  expect(n).toBeGreaterThanOrEqual(8);
  for (let i = 0; i < n; i++) {
    await expect(rows.nth(i)).toHaveAttribute('data-ok', 'true');
    await expect(rows.nth(i).getByTestId('check-error')).toHaveText(/^(0|\d\.\de-\d+)$/);
  }
  await expect(page.getByTestId('selfcheck-progress')).toHaveCount(0);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);

  await expect(page.locator('[data-testid=error-chart] .barlayer .point')).toHaveCount(n);
  await page.screenshot({ path: testInfo.outputPath('self-check.png'), fullPage: true });
});

test('no console errors while the working page loads, self-checks and draws its chart', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('./?autorun=0');
  expect(await waitForVerdict(page)).toBe('PASS');
  await expect(page.locator('[data-testid=error-chart] .barlayer .point').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('the error chart: one bar per check on a log axis, values on hover', async ({ page }) => {
  await page.goto('./?autorun=0');
  expect(await waitForVerdict(page)).toBe('PASS');
  const n = await page.getByTestId('check-row').count();
  const chart = page.getByTestId('error-chart');
  const bars = chart.locator('.barlayer .point');
  await expect(bars).toHaveCount(n);
  // Log axis: tick labels are powers of ten.
  await expect(chart.locator('.ytick').first()).toContainText(/10/);
  // Plotly draws bars without pointer events and hovers from a drag layer above them: move the
  // mouse to the first bar's column, near the bottom of the plot area (a log-axis bar starts there).
  await chart.scrollIntoViewIfNeeded();
  const bar = await bars.first().boundingBox();
  const area = await chart.locator('.nsewdrag').first().boundingBox();
  expect(bar && area).toBeTruthy();
  await page.mouse.move(bar!.x + bar!.width / 2, area!.y + area!.height - 4);
  await expect(chart.locator('.hoverlayer')).toContainText(/matmul.*error \d\.\de-\d+ · bound \d\.\de-\d+/);
  // Both axes titled, legend clear of them, title whole.
  await page.mouse.move(0, 0);
  await expectChartsRead(page.getByTestId('error-chart').locator('..'));
});

test('re-running with another seed draws new inputs and still passes', async ({ page }) => {
  await page.goto('./?autorun=0');
  expect(await waitForVerdict(page)).toBe('PASS');
  const before = await page.getByTestId('check-error').allTextContents();
  await page.getByTestId('seed-input').fill('7');
  await page.getByTestId('run-selfcheck').click();
  // With the pipelines compiled the second run can finish within a poll: wait for new numbers.
  await expect
    .poll(() => page.getByTestId('check-error').allTextContents(), { timeout: SELF_CHECK_TIMEOUT })
    .not.toEqual(before);
  expect(await waitForVerdict(page)).toBe('PASS');
  const after = await page.getByTestId('check-error').allTextContents();
  expect(after).toHaveLength(before.length);
  expect(after.every((t) => t !== '')).toBe(true);
});

for (const [scheme, text] of [
  ['light', 'rgb(28, 36, 48)'],
  ['dark', 'rgb(228, 233, 239)'],
] as const)
  test(`page and charts follow the ${scheme} colour scheme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    // A tiny matrix: the live chart draws within a second or two, no self-check needed.
    const cfg = {
      schema: 'smx/experiment@1',
      kind: 'approximation',
      seed: 1,
      matrix: { source: 'generate', generator: 'gaussian', rows: 16, cols: 16 },
      methods: [{ family: 'lowrank', rank: 4 }],
    };
    await page.goto(`./?autorun=0#config=${encodeURIComponent(JSON.stringify(cfg))}`);
    await expect(page.locator('body')).toHaveCSS('color', text);
    const title = page.locator('[data-testid=live-spectrum] .gtitle');
    await expect(title).toHaveCSS('fill', text, { timeout: 60_000 });
  });

test('a worker that fails shows its error as a text banner, not a blank page', async ({ page }) => {
  // Serve a broken worker script (the real one is replaced at the network level): the page must say
  // so in a banner, as text: the markup in the message must not become HTML.
  await page.route(/selfcheck\.worker[^/]*\.js(\?.*)?$/, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/javascript',
      body: 'throw new Error("<b id=injected>worker exploded</b>");',
    }),
  );
  await page.goto('./?autorun=0');
  await page.getByTestId('run-selfcheck').click();
  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('WorkerError');
  await expect(page.locator('#injected')).toHaveCount(0);
  await expect(page.getByTestId('selfcheck-status')).toHaveText('Stopped');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
});

test('a broken experiment worker: a text banner, the page stays', async ({ page }) => {
  await page.route(/\/worker-[^/]*\.js(\?.*)?$/, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/javascript',
      body: 'throw new Error("<img id=injected2 src=x>experiment worker exploded");',
    }),
  );
  await page.goto('./');
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('WorkerError');
  await expect(page.locator('#injected2')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeVisible();
});
