/**
 * Browser tests against the production build (dist/, built by `npm test` before Playwright),
 * in Debian's Chromium: never a downloaded browser. WebGPU runs on SwiftShader (CPU) here; see
 * /work/shared/notes/webgpu-on-cpu.md. Override the browser with SMX_CHROMIUM.
 */
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const chromium = process.env.SMX_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium))
  throw new Error(
    `No Chromium at ${chromium}. Install Debian's with \`sudo apt-get install -y chromium\` ` +
      '(or run `bash scripts/ensure-system.sh` as root), or set SMX_CHROMIUM to a Chromium with WebGPU.',
  );

// Overridable so that several checkouts on one machine can run their browser tests side by side.
const PORT = Number(process.env.SMX_E2E_PORT ?? 4873);
const quiet = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export default defineConfig({
  testDir: 'tests/e2e',
  // Two shared cores: one browser at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${PORT}/`,
    headless: true,
    browserName: 'chromium',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'webgpu',
      testMatch: /webgpu\.spec\.ts$/,
      testIgnore: /no-webgpu\.spec\.ts$/,
      use: {
        launchOptions: {
          executablePath: chromium,
          // Developer features: GPU timestamps never quantised (some Chromium builds round them to
          // 0.1 ms without it; Debian's 156 here gives 1 ns steps either way). A result's
          // env.clockResolutionMs records the step the page saw.
          args: [
            ...quiet,
            '--enable-unsafe-webgpu',
            '--use-webgpu-adapter=swiftshader',
            '--enable-webgpu-developer-features',
          ],
        },
      },
    },
    {
      // Headless Chromium on Linux without --enable-unsafe-webgpu: navigator.gpu exists but
      // requestAdapter() gives null (verified with Chromium 156). The page must explain, not go blank.
      name: 'no-webgpu',
      testMatch: /no-webgpu\.spec\.ts$/,
      use: { launchOptions: { executablePath: chromium, args: quiet } },
    },
  ],
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
