/**
 * The playground in Chromium on SwiftShader: a run through the experiment worker, live recompute
 * while "Rank" moves (latency printed, never asserted), export / import, history across reloads,
 * shareable links, device loss and a keyboard-only run. Sizes are tiny: SwiftShader is a CPU.
 */
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import Ajv from 'ajv';
import { expectChartsRead } from './plot-reading';

/** A small approximation config (16 × 16, no timing) that finishes in a few seconds here. */
const TINY = {
  schema: 'smx/experiment@1',
  kind: 'approximation',
  seed: 3,
  matrix: {
    source: 'generate',
    generator: 'lowrank-noise',
    rows: 16,
    cols: 16,
    rank: 8,
    decay: 0.7,
    noise: 0.01,
  },
  methods: [
    { family: 'lowrank', rank: 4 },
    { family: 'blockdiag', blocks: 4 },
  ],
  sweep: { budgets: [0.25, 0.5], families: ['lowrank'] },
  timing: false,
};

const hashOf = (c: unknown) => `#config=${encodeURIComponent(JSON.stringify(c))}`;

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

async function waitFinished(page: Page, timeout = 90_000) {
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', { timeout });
}

async function methodErrors(page: Page): Promise<string[]> {
  return page.getByTestId('methods-table').locator('[data-testid^=method-error-]').allTextContents();
}

test('load: the default preset runs in the worker and its plots render', async ({ page }, testInfo) => {
  const errors = collectErrors(page);
  await page.goto('./');
  await expect(page.getByRole('combobox', { name: 'Preset' })).toContainText('approximation');
  await waitFinished(page);
  await expect(page.getByTestId('method-row')).toHaveCount(5);
  for (const id of ['plot-spectrum', 'plot-sweep', 'plot-error-heatmap', 'live-spectrum', 'live-heat-diff'])
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', /.+/);
  // The sweep: one line per swept family plus one marker per method, log axes.
  await expect(page.locator('[data-testid=plot-sweep] .scatterlayer .trace')).toHaveCount(3 + 5);
  // Titles whole, every axis titled, legends clear of the axis titles, no internal ids.
  await expectChartsRead(page.getByTestId('panel-approximation'));
  await expectChartsRead(page.getByTestId('panel-live'));
  // Each plot offers a PNG download (Plotly's modebar).
  await expect(
    page.locator('[data-testid=plot-sweep] .modebar-btn[data-title^="Download plot"]'),
  ).toHaveCount(1);
  // Method paragraphs with their papers.
  await expect(page.getByTestId('about-monarch').getByRole('link')).toHaveAttribute('href', /^https:\/\//);
  // The config is in the URL hash.
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain('"kind":"approximation"');
  await expect(page.getByTestId('history-item')).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('playground.png'), fullPage: true });
  expect(errors).toEqual([]);
});

/**
 * Slider moves on the live "Rank", one at a time; per move: input → answer in the store → every
 * live figure redrawn (the charts draw one per task, so the last of the four ends the move).
 */
async function measureMoves(page: Page, ranks: number[]) {
  return page.evaluate(async (ranks) => {
    type Live = { requested: number; shown: number; result: { ms: number } | null };
    const el = document.querySelector<HTMLInputElement>('[data-testid="slider-Rank"]');
    const figs = [...document.querySelectorAll<HTMLElement>('figure[data-testid^="live-"]')];
    const store = (
      window as unknown as {
        __smx: {
          playground: { getState(): { live: Live }; subscribe(f: (s: { live: Live }) => void): () => void };
        };
      }
    ).__smx.playground;
    if (!el || figs.length < 4) throw new Error('slider or the four live figures missing');
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
    const out: Array<{ total: number; roundTrip: number; engine: number; render: number }> = [];
    for (const r of ranks) {
      const t0 = performance.now();
      let t1 = Number.NaN;
      let engine = Number.NaN;
      setter?.call(el, String(r));
      el.dispatchEvent(new Event('input', { bubbles: true }));
      const want = store.getState().live.requested;
      const unsub = store.subscribe((s) => {
        if (Number.isNaN(t1) && s.live.shown === want) {
          t1 = performance.now();
          engine = s.live.result?.ms ?? Number.NaN;
        }
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no redraw for rank ${r}`)), 60_000);
        const check = () => {
          if (figs.every((fig) => fig.dataset.rendered === String(want))) {
            clearTimeout(timer);
            obs.disconnect();
            resolve();
          }
        };
        const obs = new MutationObserver(check);
        for (const fig of figs) obs.observe(fig, { attributes: true, attributeFilter: ['data-rendered'] });
        check();
      });
      unsub();
      const t2 = performance.now();
      out.push({ total: t2 - t0, roundTrip: t1 - t0, engine, render: t2 - t1 });
    }
    return out;
  }, ranks);
}

/** Median Plotly draw time per chart since the last call (smx:draw:<chart> measures, ?test-hooks=1). */
async function drawTimes(page: Page): Promise<string> {
  return page.evaluate(() => {
    const by = new Map<string, number[]>();
    for (const m of performance.getEntriesByType('measure'))
      if (m.name.startsWith('smx:draw:')) {
        const chart = m.name.slice('smx:draw:'.length);
        by.set(chart, [...(by.get(chart) ?? []), m.duration]);
      }
    performance.clearMeasures();
    return [...by]
      .map(([chart, ds]) => {
        const sorted = ds.sort((a, b) => a - b);
        return `${chart} ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms (${ds.length} draws)`;
      })
      .join(', ');
  });
}

function summarise(label: string, xs: Array<Record<string, number>>): string {
  const pct = (k: string, p: number) => {
    const s = xs.map((x) => x[k]).sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))];
  };
  const part = (k: string) => `p50 ${pct(k, 0.5).toFixed(1)} / p95 ${pct(k, 0.95).toFixed(1)} ms`;
  return `${label} over ${xs.length} moves (SwiftShader): slider → all four plots ${part('total')}; of which worker round trip ${part('roundTrip')} (engine ${part('engine')}), React + Plotly redraws ${part('render')}`;
}

test('live "Rank": error and plot follow the slider, the last position wins; cold start and latency printed', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  // Cold start: from the page being interactive to the first live figure on screen.
  await page.addInitScript(() => {
    const t = { interactive: Number.NaN, firstFigure: Number.NaN };
    (window as unknown as { __smxT: typeof t }).__smxT = t;
    document.addEventListener('DOMContentLoaded', () => {
      t.interactive = performance.now();
    });
    new MutationObserver((records) => {
      for (const rec of records)
        if (
          Number.isNaN(t.firstFigure) &&
          (rec.target as HTMLElement).dataset?.testid === 'live-spectrum' &&
          (rec.target as HTMLElement).dataset.rendered
        )
          t.firstFigure = performance.now();
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-rendered'] });
  });
  const cfg = {
    ...TINY,
    matrix: { ...TINY.matrix, rows: 64, cols: 64, rank: 24 },
    methods: [{ family: 'lowrank', rank: 8 }],
    sweep: undefined,
  };
  await page.goto(`./?autorun=0&test-hooks=1${hashOf(cfg)}`);
  const err = page.getByTestId('live-error-0');
  await expect(err).toHaveText(/^\d/, { timeout: 120_000 });
  const plot = page.getByTestId('live-spectrum');
  // The first figure waits for Plotly's first load too (seconds on a busy CPU).
  await expect(plot).toHaveAttribute('data-rendered', /\d+/, { timeout: 120_000 });
  for (const id of ['live-heat-W', 'live-heat-approx', 'live-heat-diff'])
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', /\d+/, { timeout: 120_000 });
  const cold = await page.evaluate(() => {
    const t = (window as unknown as { __smxT: { interactive: number; firstFigure: number } }).__smxT;
    const live = (
      window as unknown as {
        __smx: { playground: { getState(): { live: { result: { ms: number } | null } } } };
      }
    ).__smx.playground.getState().live;
    // The page's and the worker's cold-start phases (src/ui/perf.ts), ms after the page was interactive.
    const phases = performance
      .getEntriesByType('mark')
      .filter((m) => m.name.startsWith('smx:'))
      .sort((a, b) => a.startTime - b.startTime)
      .map((m) => `${m.name.slice(4)} ${(m.startTime - t.interactive).toFixed(0)}`);
    return { ms: t.firstFigure - t.interactive, engine: live.result?.ms ?? Number.NaN, phases };
  });
  const coldLine = `cold start: first live figure ${cold.ms.toFixed(0)} ms after the page was interactive (first live answer's engine time ${cold.engine.toFixed(0)} ms; SwiftShader); phases (ms after interactive): ${cold.phases.join(', ')}`;
  const before = await err.textContent();
  const plotBefore = await plot.getAttribute('data-rendered');
  await expect(page.getByRole('spinbutton', { name: 'Rank' })).toHaveValue('8');

  await drawTimes(page);
  const small = await measureMoves(
    page,
    Array.from({ length: 20 }, (_, k) => 2 + ((k * 5) % 40)),
  );
  const smallDraws = await drawTimes(page);
  await expect(err).not.toHaveText(before ?? '');
  expect(await plot.getAttribute('data-rendered')).not.toBe(plotBefore);

  // A burst of moves without waiting: the last position's figure is what stays on screen.
  await page.evaluate(() => {
    const el = document.querySelector<HTMLInputElement>('[data-testid="slider-Rank"]');
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
    for (const r of [30, 12, 40, 5, 17, 33, 6]) {
      setter?.call(el, String(r));
      el?.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });
  await expect(page.getByRole('spinbutton', { name: 'Rank' })).toHaveValue('6');
  await expect(plot.locator('.gtitle')).toHaveText('Singular values of W (kept: first 6)');
  const shownAfterBurst = await err.textContent();
  const slider = page.getByRole('slider', { name: 'Rank' });
  await slider.fill('7');
  await expect(plot.locator('.gtitle')).toHaveText('Singular values of W (kept: first 7)');
  await slider.fill('6');
  await expect(plot.locator('.gtitle')).toHaveText('Singular values of W (kept: first 6)');
  await expect(err).toHaveText(shownAfterBurst ?? '');
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain('"rank":6');

  // 256 × 256: the first request pays for the matrix's SVD; then moves only reuse it.
  const size = page.getByRole('spinbutton', { name: 'Matrix size' });
  await size.fill('256');
  await size.press('Enter');
  await expect(page.getByTestId('panel-live')).toContainText('256 × 256', { timeout: 120_000 });
  await drawTimes(page);
  const large = await measureMoves(
    page,
    Array.from({ length: 12 }, (_, k) => 4 + ((k * 7) % 60)),
  );
  const largeDraws = await drawTimes(page);
  const lines = [
    coldLine,
    `${summarise('64 × 64', small)}; median draw per chart: ${smallDraws}`,
    `${summarise('256 × 256', large)}; median draw per chart: ${largeDraws}`,
  ];
  for (const line of lines) {
    console.log(line);
    testInfo.annotations.push({ type: 'live-latency', description: line });
  }
  expect(small).toHaveLength(20);
  expect(large).toHaveLength(12);
});

test('export validates against the schema; importing it in a fresh page shows the same figures', async ({
  page,
  browser,
}) => {
  await page.goto(`./${hashOf(TINY)}`);
  await waitFinished(page);
  const figures = await methodErrors(page);
  expect(figures).toHaveLength(2);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const file = await (await download).path();
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const schema = JSON.parse(readFileSync('public/schema/result.schema.json', 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const valid = ajv.validate(schema, json);
  expect(ajv.errors ?? [], JSON.stringify(ajv.errors)).toEqual([]);
  expect(valid).toBe(true);
  expect(json.status).toBe('finished');

  const fresh = await browser.newPage();
  await fresh.goto('./?autorun=0');
  await expect(fresh.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  const historyBefore = await fresh.getByTestId('history-item').count();
  await fresh.getByTestId('import-input').setInputFiles(file);
  await expect(fresh.getByTestId('run-status')).toHaveAttribute('data-status', 'imported');
  expect(await methodErrors(fresh)).toEqual(figures);
  await expect(fresh.getByTestId('plot-spectrum')).toHaveAttribute('data-rendered', /.+/);
  await expect(fresh.getByRole('button', { name: 'Re-run' })).toBeVisible();
  await expect(fresh.getByTestId('history-item')).toHaveCount(historyBefore);
  await fresh.close();
});

test('malformed JSON: an error banner names the problem and nothing else changes; history survives reload', async ({
  page,
}) => {
  await page.goto(`./${hashOf(TINY)}`);
  await waitFinished(page);
  const n = await page.getByTestId('history-item').count();
  expect(n).toBeGreaterThanOrEqual(1);
  const figures = await methodErrors(page);
  const hash = new URL(page.url()).hash;
  await page.getByTestId('import-input').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(
      '{"schema": "smx/result@1", "kind": "approximation", "status": 7, "x": "<b id=injected>hi</b>"}',
    ),
  });
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('broken.json is not a valid result');
  await expect(banner).toContainText('status');
  await expect(page.locator('#injected')).toHaveCount(0);
  await page.getByTestId('import-input').setInputFiles({
    name: 'garbage.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{ not json'),
  });
  await expect(banner).toContainText('garbage.json is not valid JSON');
  expect(await methodErrors(page)).toEqual(figures);
  expect(new URL(page.url()).hash).toBe(hash);
  await expect(page.getByTestId('history-item')).toHaveCount(n);

  await page.goto('./?autorun=0');
  await expect(page.getByTestId('history-item')).toHaveCount(n);
  // Open the newest saved run: its figures come back without running.
  await page.getByTestId('history-item').first().getByRole('button', { name: 'Open' }).click();
  expect(await methodErrors(page)).toEqual(figures);
  // Compare overlays a saved run on the current plots (dashed copies of each series).
  const traces = page.locator('[data-testid=plot-sweep] .scatterlayer .trace');
  await expect(traces).toHaveCount(3);
  await page.getByTestId('history-item').first().getByRole('button', { name: 'Compare' }).click();
  await expect(traces).toHaveCount(6);
  // Delete removes it.
  await page
    .getByTestId('history-item')
    .first()
    .getByRole('button', { name: /^Delete run/ })
    .click();
  await expect(page.getByTestId('history-item')).toHaveCount(n - 1);
});

test('a copied link reproduces the config (seed included) in a fresh page', async ({ page, browser }) => {
  await page.goto(`./?autorun=0${hashOf(TINY)}`);
  await page.getByRole('spinbutton', { name: 'Seed', exact: true }).fill('7');
  await page.getByRole('spinbutton', { name: 'Rank' }).fill('5');
  await page.getByRole('spinbutton', { name: 'Matrix size' }).fill('24');
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('status')).toContainText(/copied|address bar/);
  const url = page.url();
  const fresh = await browser.newPage();
  await fresh.goto(url.replace('/#', '/?autorun=0#'));
  await expect(fresh.getByRole('spinbutton', { name: 'Seed', exact: true })).toHaveValue('7');
  await expect(fresh.getByRole('spinbutton', { name: 'Rank' })).toHaveValue('5');
  await expect(fresh.getByRole('spinbutton', { name: 'Matrix size' })).toHaveValue('24');
  await expect(fresh.getByRole('combobox', { name: 'Family' })).toHaveValue('0');
  await fresh.close();
});

test('device loss: banner, a new device, the interrupted run marked and restartable', async ({
  page,
}, testInfo) => {
  const errors = collectErrors(page);
  // Long enough (a 256 × 256 sweep of GPU projections, each timed 9 times) that the loss lands
  // mid-run even on a fast machine: at 96 × 96 the run could finish before the loss arrived.
  const slow = {
    ...TINY,
    matrix: { ...TINY.matrix, rows: 256, cols: 256, rank: 24 },
    sweep: {
      budgets: [0.0625, 0.125, 0.25, 0.5, 0.75],
      families: ['lowrank', 'blockdiag', 'sparse', 'monarch'],
    },
    timing: true,
    repeats: 9,
  };
  await page.addInitScript(() => {
    (window as unknown as { __smxLog: string[] }).__smxLog = [];
  });
  await page.goto(`./?test-hooks=1${hashOf(slow)}`);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running');
  // Lose the device once the run is really on it (past the first progress step).
  await expect
    .poll(
      () =>
        page
          .getByRole('progressbar', { name: 'Run progress' })
          .evaluate((e) => (e as HTMLProgressElement).value),
      {
        timeout: 60_000,
        intervals: [50],
      },
    )
    .toBeGreaterThan(0);
  await page.evaluate(() =>
    (window as unknown as { __smx: { playground: { getState(): { loseDevice(): void } } } }).__smx.playground
      .getState()
      .loseDevice(),
  );
  const banner = page.getByTestId('device-banner');
  await expect(banner).toContainText('The GPU device was lost');
  await expect(banner).toContainText('A new device is ready', { timeout: 30_000 });
  await expect(page.getByTestId('run-status')).not.toHaveAttribute('data-status', 'running', {
    timeout: 60_000,
  });
  testInfo.annotations.push({
    type: 'worker-messages',
    description: (await page.evaluate(() => (window as unknown as { __smxLog: string[] }).__smxLog)).join(
      ' | ',
    ),
  });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'interrupted', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('history-item').first()).toContainText('device lost');
  // Restart it, smaller this time (the restart runs whatever the controls now say).
  await page.getByRole('spinbutton', { name: 'Matrix size' }).fill('16');
  await banner.getByRole('button', { name: 'Restart the interrupted run' }).click();
  await waitFinished(page);
  await expect(page.getByTestId('method-row')).toHaveCount(2);
  // Live recompute works on the new device too.
  await page.getByRole('spinbutton', { name: 'Rank' }).fill('3');
  await expect(page.getByTestId('live-spectrum').locator('.gtitle')).toHaveText(/first 3\)/);
  expect(errors.filter((e) => !/device|lost|destroy/i.test(e))).toEqual([]);
});

test('keyboard only: Tab to Run, Enter runs the preset', async ({ page }) => {
  await page.goto(`./?autorun=0${hashOf(TINY)}`);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  let found = false;
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement?.textContent?.trim() === 'Run');
  }
  expect(found).toBe(true);
  await page.keyboard.press('Enter');
  await waitFinished(page);
  await expect(page.getByTestId('method-row')).toHaveCount(2);
});

test('a dropped .npy becomes the matrix: live figures, then a run on its bytes', async ({ page }) => {
  await page.goto(`./?autorun=0${hashOf(TINY)}`);
  // The link's config is in place (two methods) before the file lands.
  await expect(page.getByRole('combobox', { name: 'Family' }).locator('option')).toHaveCount(2);
  await page.evaluate(() => {
    // A 12 × 12 float32 .npy (version 1.0 header padded to 128 bytes), entries i·j mod 7.
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (12, 12), }";
    const pad = 128 - 10 - header.length - 1;
    const h = `${header}${' '.repeat(pad)}\n`;
    const bytes = new Uint8Array(10 + h.length + 12 * 12 * 4);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 255, h.length >> 8]);
    bytes.set(new TextEncoder().encode(h), 10);
    const data = new Float32Array(12 * 12).map((_, k) => ((Math.floor(k / 12) + 1) * ((k % 12) + 2)) % 7);
    bytes.set(new Uint8Array(data.buffer), 10 + h.length);
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'w.npy'));
    document
      .querySelector('[data-testid="drop-zone"]')
      ?.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect(page.getByRole('combobox', { name: 'Matrix source' })).toHaveValue('bytes');
  await expect(page.getByTestId('panel-live')).toContainText('12 × 12');
  await expect(page.getByTestId('live-error-0')).toHaveText(/^\d/);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await waitFinished(page);
  await expect(page.getByTestId('method-row')).toHaveCount(2);
});

test('spectrum and speedup panels draw their plots; Stop keeps what finished', async ({ page }) => {
  const spectrum = {
    schema: 'smx/experiment@1',
    kind: 'spectrum',
    seed: 1,
    entries: [
      { type: 'toeplitz-bspline', n: 16, p: 3, alpha: 1.5 },
      { type: 'structured', n: 16, spec: { family: 'blockdiag', blocks: 4 } },
      { type: 'random', n: 16, steps: 5 },
    ],
  };
  await page.goto(`./${hashOf(spectrum)}`);
  await waitFinished(page);
  await expect(page.getByTestId('spectrum-row')).toHaveCount(3);
  for (const id of ['plot-toeplitz', 'plot-singular', 'plot-norms'])
    await expect(page.getByTestId(id)).toHaveAttribute('data-rendered', /.+/);
  await expectChartsRead(page.getByTestId('panel-spectrum'));
  // The symbol is a line drawn over open eigenvalue markers, so it shows through them.
  const toeplitz = page.locator('[data-testid=plot-toeplitz] .scatterlayer .trace');
  await expect(toeplitz.last().locator('path.js-line')).toHaveCount(1);
  await expect(toeplitz.first().locator('path.point').first()).toHaveAttribute('d', /.+/);
  expect(
    await toeplitz
      .first()
      .locator('path.point')
      .first()
      .evaluate((e) => {
        const st = getComputedStyle(e);
        return st.fill === 'none' || st.fillOpacity === '0';
      }),
  ).toBe(true);

  const speedup = {
    schema: 'smx/experiment@1',
    kind: 'speedup',
    seed: 1,
    kernels: [
      { family: 'lowrank', rank: 4 },
      { family: 'blockdiag', blocks: 4 },
    ],
    sizes: [32],
    batch: [8],
    warmup: 1,
    repeats: 5,
  };
  await page.goto(`./?p=speedup${hashOf(speedup)}`);
  await waitFinished(page);
  await expect(page.getByTestId('speedup-row')).toHaveCount(2);
  await expect(page.locator('[data-testid=plot-speedup] .barlayer .point')).toHaveCount(2);
  await expect(page.getByTestId('plot-gflops')).toHaveAttribute('data-rendered', /.+/);
  await expectChartsRead(page.getByTestId('panel-speedup'));

  // Stop: a longer approximation, stopped after its first steps, keeps the finished methods
  // (256 × 256, so that it cannot finish between the progress poll and the click).
  const long = {
    ...TINY,
    matrix: { ...TINY.matrix, rows: 256, cols: 256, rank: 24 },
    sweep: {
      budgets: [0.0625, 0.125, 0.25, 0.5, 0.75],
      families: ['lowrank', 'blockdiag', 'sparse', 'monarch'],
    },
  };
  await page.goto(`./?p=stop${hashOf(long)}`);
  // Stop once the first methods are done (the summary so far comes back with the cancelled result).
  await expect
    .poll(
      () =>
        page
          .getByRole('progressbar', { name: 'Run progress' })
          .evaluate((e) => (e as HTMLProgressElement).value),
      { timeout: 60_000, intervals: [50] },
    )
    .toBeGreaterThan(0.1);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'cancelled', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('method-row')).not.toHaveCount(0);
  await expect(page.getByTestId('history-item').first()).toHaveAttribute('data-status', 'cancelled');
});

test('an image as the matrix: pick it in "Matrix source", live figures, then a run', async ({ page }) => {
  await page.goto(`./?autorun=0${hashOf(TINY)}`);
  await expect(page.getByRole('combobox', { name: 'Family' }).locator('option')).toHaveCount(2);
  await page.getByRole('combobox', { name: 'Matrix source' }).selectOption('image:airplane-from-above');
  // A centre-square crop keeps the matrix n × n at the size the slider had (16).
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain('"source":"image"');
  await expect(page.getByTestId('panel-live')).toContainText('16 × 16');
  await expect(page.getByTestId('live-error-0')).toHaveText(/^\d/);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await waitFinished(page);
  await expect(page.getByTestId('method-row')).toHaveCount(2);
});
