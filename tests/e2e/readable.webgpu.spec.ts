/**
 * What a user reads (issues 10 §3 and 11): values on screen checked against known answers, controls
 * that offer only valid values, state that never contradicts itself, and the latency printed (never
 * asserted) with where the time goes. Sizes are small: SwiftShader is a CPU.
 */
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';

// SwiftShader on a busy 2-core machine: a cold worker alone can take a minute.
test.setTimeout(300_000);

const hashOf = (c: unknown) => `#config=${encodeURIComponent(JSON.stringify(c))}`;

/** Known singular values: σᵢ = 0.8^i, i = 0 … 23, of a 40 × 24 matrix W = U diag(σ) Vᵀ. */
const ROWS = 40;
const COLS = 24;
const SIGMA = Array.from({ length: COLS }, (_, i) => 0.8 ** i);
/** The Eckart–Young tail: the best rank-r relative Frobenius error. */
const tail = (r: number) =>
  Math.sqrt(SIGMA.slice(r).reduce((a, s) => a + s * s, 0) / SIGMA.reduce((a, s) => a + s * s, 0));

/** Drop a .npy (float32, version 1.0) of U diag(σ) Vᵀ, U and V products of Givens rotations. */
async function dropKnownMatrix(page: Page) {
  await page.evaluate(
    ({ rows, cols, sigma }) => {
      const orth = (n: number, seed: number) => {
        // Identity, then rotations in planes (i, j) by seeded angles: orthogonal to rounding.
        const q: number[][] = Array.from({ length: n }, (_, i) =>
          Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
        );
        let s = seed;
        const rnd = () => {
          s = (s * 1103515245 + 12345) % 2147483648;
          return s / 2147483648;
        };
        for (let k = 0; k < 4 * n; k++) {
          const i = Math.floor(rnd() * n);
          const j = (i + 1 + Math.floor(rnd() * (n - 1))) % n;
          const t = rnd() * 2 * Math.PI;
          const c = Math.cos(t);
          const sn = Math.sin(t);
          for (let r = 0; r < n; r++) {
            const a = q[r][i];
            const b = q[r][j];
            q[r][i] = c * a - sn * b;
            q[r][j] = sn * a + c * b;
          }
        }
        return q;
      };
      const U = orth(rows, 7);
      const V = orth(cols, 11);
      const data = new Float32Array(rows * cols);
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) {
          let x = 0;
          for (let k = 0; k < cols; k++) x += U[i][k] * sigma[k] * V[j][k];
          data[i * cols + j] = x;
        }
      const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
      const h = `${header}${' '.repeat(128 - 10 - header.length - 1)}\n`;
      const bytes = new Uint8Array(10 + h.length + data.byteLength);
      bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 255, h.length >> 8]);
      bytes.set(new TextEncoder().encode(h), 10);
      bytes.set(new Uint8Array(data.buffer), 10 + h.length);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'known40x24.npy'));
      document
        .querySelector('[data-testid="drop-zone"]')
        ?.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { rows: ROWS, cols: COLS, sigma: SIGMA },
  );
}

const START = {
  schema: 'smx/experiment@1',
  kind: 'approximation',
  name: 'A preset title that must not label other runs',
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
    { family: 'monarch', blocks: 4 },
    { family: 'nm-sparse', n: 2, m: 4 },
  ],
  timing: false,
};

async function typeInto(page: Page, name: string, value: string) {
  const box = page.getByRole('spinbutton', { name, exact: true });
  await box.fill(value);
  await box.press('Enter');
}

test('a dropped .npy with known σ: rows × cols, valid-only controls, live error = Eckart–Young tail, runs, re-imports', async ({
  page,
}) => {
  await page.goto(`./?autorun=0${hashOf(START)}`);
  await expect(page.getByRole('combobox', { name: 'Family' }).locator('option')).toHaveCount(3);
  await dropKnownMatrix(page);

  // The controls reflect the file: 40 × 24, rank up to 24.
  await expect(page.getByRole('textbox', { name: 'Matrix size' })).toHaveValue('40 × 24');
  const rank = page.getByRole('spinbutton', { name: 'Rank' });
  await expect(rank).toHaveAttribute('max', '24');
  await expect(page.getByRole('slider', { name: 'Rank' })).toHaveAttribute('max', '24');

  // The live error at rank r is √(Σ_{i>r} σᵢ²)/‖σ‖ (to 1e-4; the file is float32).
  const err = page.getByTestId('live-error-0');
  for (const r of [5, 12]) {
    await typeInto(page, 'Rank', String(r));
    await expect(page.getByTestId('live-spectrum').locator('.gtitle')).toHaveText(
      `Singular values of W (kept: first ${r})`,
      { timeout: 60_000 },
    );
    const shown = Number(await err.textContent());
    expect(Math.abs(shown - tail(r)), `rank ${r}: shown ${shown}, tail ${tail(r)}`).toBeLessThan(1e-4);
  }
  // Typing past the largest rank says so and clamps.
  await typeInto(page, 'Rank', '100');
  await expect(page.getByTestId('note-Rank')).toHaveText('100 is more than 24, the largest Rank: set to 24.');
  await expect(rank).toHaveValue('24');
  await typeInto(page, 'Rank', '12');

  // Monarch's Blocks walks only divisors of the 24 columns; a typed 5 snaps to one and says why.
  await page.getByRole('combobox', { name: 'Family' }).selectOption({ label: 'monarch' });
  const blocks = page.getByRole('slider', { name: 'Blocks' });
  await expect(blocks).toHaveAttribute('max', '7'); // 1 2 3 4 6 8 12 24
  await typeInto(page, 'Blocks', '5');
  await expect(page.getByTestId('note-Blocks')).toContainText(
    '5 is not allowed (blocks must divide the 24 columns): set to 4',
  );
  await blocks.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('spinbutton', { name: 'Blocks' })).toHaveValue('6');
  await expect(blocks).toHaveAttribute('aria-valuetext', '6');
  // Fields a family does not use show nothing, not a made-up value.
  await expect(page.getByRole('spinbutton', { name: 'Rank' })).toHaveValue('');
  await expect(page.getByRole('spinbutton', { name: 'Density' })).toHaveValue('');
  // N:M sparse's n and m are changeable, among valid pairs only.
  await page.getByRole('combobox', { name: 'Family' }).selectOption({ label: 'nm-sparse' });
  await page.getByRole('combobox', { name: 'N:M pattern' }).selectOption('1:4');
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain('{"family":"nm-sparse","n":1,"m":4}');

  // Run on the file: the result says what ran (not the preset's title).
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 90_000,
  });
  const what = page.getByTestId('result-what');
  await expect(what).toContainText('known40x24.npy (40 × 24)');
  await expect(what).not.toContainText('preset title');
  await expect(page.getByTestId('history-item').first()).toContainText('known40x24.npy (40 × 24)');
  const errors = await page.locator('[data-testid^=method-error-]').allTextContents();
  expect(Math.abs(Number(errors[0]) - tail(12))).toBeLessThan(1e-4); // the run's exact f64 SVD agrees
  // The shown result is current; moving a slider marks it stale with what it ran with.
  await expect(page.getByTestId('stale-note')).toHaveCount(0);
  await page.getByRole('combobox', { name: 'Family' }).selectOption({ label: 'lowrank' });
  await typeInto(page, 'Rank', '3');
  await expect(page.getByTestId('stale-note')).toContainText('Low rank rank = 12 (controls: 3)');

  // Export, import: the same numbers.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const file = await (await download).path();
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  expect(exported.summary.matrix).toMatchObject({ rows: 40, cols: 24 });
  await page.getByTestId('import-input').setInputFiles(file);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'imported');
  expect(await page.locator('[data-testid^=method-error-]').allTextContents()).toEqual(errors);
});

test('an input error keeps the last good result and says what to do; limits are said, not silent', async ({
  page,
}) => {
  await page.goto(`./?autorun=0${hashOf(START)}`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 90_000,
  });
  const rows = page.getByTestId('method-row');
  await expect(rows).toHaveCount(3);
  const before = await page.locator('[data-testid^=method-error-]').allTextContents();

  // A config whose rank does not fit its matrix: refused with what to do; nothing changes.
  const bad = { ...START, methods: [{ family: 'lowrank', rank: 100 }] };
  await page.getByTestId('import-input').setInputFiles({
    name: 'bad.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(bad)),
  });
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('Rank must be ≤ 16');
  expect(await page.locator('[data-testid^=method-error-]').allTextContents()).toEqual(before);

  // A link (pasted into this tab) to a dropped file that is not on this page: the live panel and the
  // Run button say to drop it again; the last good result stays, marked out of date.
  const dropped = { ...START, matrix: { source: 'bytes', name: 'gone.npy', format: 'npy' } };
  await page.evaluate((h) => {
    location.hash = h;
  }, hashOf(dropped));
  await expect(page.getByTestId('live-off')).toContainText('drop the file again');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(banner).toContainText('gone.npy, which is not on this page');
  await expect(banner).toContainText('drop the file again');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished');
  expect(await page.locator('[data-testid^=method-error-]').allTextContents()).toEqual(before);
  await expect(page.getByTestId('stale-note')).toContainText('matrix source = generate (controls: bytes)');

  // Back to a generated matrix and a good run: the banners do not pile up.
  await page.evaluate(
    (h) => {
      location.hash = h;
    },
    hashOf({ ...START, methods: [{ family: 'lowrank', rank: 2 }] }),
  );
  await expect(page.getByTestId('stale-note')).toContainText('Low rank rank = 4 (controls: 2)');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('method-row')).toHaveCount(1);
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('stale-note')).toHaveCount(0);

  // Over 256 the live panel says live recompute stops there; typing 3000 is clamped, and said.
  await typeInto(page, 'Matrix size', '300');
  await expect(page.getByTestId('live-off')).toHaveText(
    'Live recompute stops at 256 × 256; this matrix is 300 × 300. Press Run for its figures.',
  );
  await expect(page.getByTestId('live-spectrum')).toHaveCount(0);
  // Its result has no singular-value chart, and says why.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'finished', {
    timeout: 120_000,
  });
  await expect(page.getByTestId('no-spectrum-note')).toContainText('this matrix is 300 × 300');
  await expect(page.getByTestId('plot-spectrum')).toHaveCount(0);
  await typeInto(page, 'Matrix size', '3000');
  await expect(page.getByTestId('note-Matrix size')).toHaveText(
    '3000 is more than 2048, the largest Matrix size: set to 2048.',
  );
  await expect(page.getByRole('spinbutton', { name: 'Matrix size' })).toHaveValue('2048');
});
