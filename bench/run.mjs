/**
 * Node side of `npm run bench`: serve dist-bench/ on localhost, open it in headless Chromium
 * (Playwright, the system's chromium), run the registered benches in the page, print a table and
 * write bench-results/bench-<date>.json.
 *
 *   node bench/run.mjs [--filter gemm[,other]] [--quick] [--rounds N] [--sample-ms N]
 * Env: SMX_CHROMIUM (browser path, default /usr/bin/chromium), SMX_REAL_GPU=1 (use the real GPU
 * instead of SwiftShader), SMX_BENCH_PORT (default: a free port chosen by the OS).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist-bench');

function parseArgs(argv) {
  const o = { filter: '', quick: false, rounds: '', sampleMs: '', out: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const [, v] = a.split('=');
      return v ?? argv[++i] ?? '';
    };
    if (a.startsWith('--filter')) o.filter = val();
    else if (a === '--quick') o.quick = true;
    else if (a.startsWith('--rounds')) o.rounds = val();
    else if (a.startsWith('--sample-ms')) o.sampleMs = val();
    else if (a.startsWith('--out')) o.out = val();
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run bench -- [--filter gemm] [--quick] [--rounds N] [--sample-ms N] [--out file.json]',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
};

function serve() {
  const server = createServer((req, res) => {
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  const port = Number(process.env.SMX_BENCH_PORT ?? 0);
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

function table(results) {
  const head = [
    'group',
    'shape',
    'kernel',
    'median ms',
    'min ms',
    'max ms',
    'n',
    'GFLOP/s',
    'reps',
    'oracle err',
    'speedup',
    'vs best TF.js',
    'efficiency',
  ];
  // efficiency = speedup ÷ (baseline flops / these flops): 1 means the flop saving is fully realised.
  const baseFlops = (r) =>
    results.find((b) => b.group === r.group && b.shape === r.shape && b.name === r.baseline)?.flops;
  const efficiency = (r) =>
    r.speedup !== undefined && baseFlops(r) && r.flops ? fmt(r.speedup / (baseFlops(r) / r.flops)) : '';
  const rows = results.map((r) => [
    r.group,
    r.shape,
    r.note ? `${r.name} (${r.note})` : r.name,
    fmt(r.medianMs, 3),
    fmt(r.minMs, 3),
    fmt(r.maxMs, 3),
    String(r.samplesMs.length),
    fmt(r.gflops, 3),
    String(r.reps),
    r.oracleError !== undefined ? r.oracleError.toExponential(1) : '',
    r.error ? `ERROR ${r.error}` : r.speedup !== undefined ? `${fmt(r.speedup)}× vs ${r.baseline}` : '',
    r.tfSpeedup !== undefined ? `${fmt(r.tfSpeedup)}× vs ${r.tfBaseline}` : '',
    r.error || r.baseline?.startsWith('tfjs') ? '' : efficiency(r),
  ]);
  const right = new Set([3, 4, 5, 6, 7, 8, 9, 12]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) =>
    r
      .map((c, i) => (right.has(i) ? lpad(c, w[i]) : pad(c, w[i])))
      .join('  ')
      .trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(dist, 'index.html')))
    throw new Error('dist-bench/ is missing: build it with npx vite build -c vite.bench.config.ts');
  const executablePath = process.env.SMX_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(`No Chromium at ${executablePath}: apt-get install -y chromium, or set SMX_CHROMIUM`);
  const args = [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ];
  if (process.env.SMX_REAL_GPU === '1') args.push('--enable-features=Vulkan', '--ignore-gpu-blocklist');
  else args.push('--use-webgpu-adapter=swiftshader');

  const server = await serve();
  const port = server.address().port;
  const browser = await chromium.launch({ executablePath, args, headless: true });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.error(`[page ${m.type()}] ${m.text()}`);
    });
    await page.exposeFunction('__benchLog', (line) => console.log(`  ${line}`));
    const q = new URLSearchParams();
    if (opts.filter) q.set('filter', opts.filter);
    if (opts.quick) q.set('quick', '1');
    if (opts.rounds) q.set('rounds', opts.rounds);
    if (opts.sampleMs) q.set('sampleMs', opts.sampleMs);
    console.log(`bench: ${browser.version()} on http://localhost:${port}/ ?${q}`);
    await page.goto(`http://localhost:${port}/index.html?${q}`);
    await page.waitForFunction(() => window.__bench !== undefined);
    const report = await page.evaluate(() => window.__bench);
    report.browser = `Chromium ${browser.version()}`;
    report.realGpu = process.env.SMX_REAL_GPU === '1';
    console.log(
      `\nadapter: ${report.adapter.vendor} / ${report.adapter.architecture}` +
        `${report.adapter.isFallbackAdapter ? ' (fallback adapter)' : ''}; ${report.browser}`,
    );
    console.log(`timing: ${report.timing}; clock step ${report.clockResolutionMs} ms\n`);
    console.log(table(report.results));
    if (report.rsvd) {
      const r = report.rsvd;
      console.log(
        `\nlinalg  ${r.n}×${r.n} rank ${r.rank}: exact Jacobi SVD ${fmt(r.jacobiMedianMs, 1)} ms, randomized SVD ` +
          `(niter ${r.niter}) ${fmt(r.rsvdMedianMs, 1)} ms: ${fmt(r.speedup)}× faster; error / Eckart–Young optimum ` +
          `${fmt(r.jacobiErrorRatio, 5)} (exact), ${fmt(r.rsvdErrorRatio, 5)} (randomized)`,
      );
    }
    const outDir = join(root, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    const out = opts.out
      ? resolve(process.cwd(), opts.out)
      : join(outDir, `bench-${report.date.replace(/[:.]/g, '-')}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${out}`);
    // Our benches must all pass their checks; a rival program that fails its check is reported.
    if (report.results.some((r) => r.error && !r.name.startsWith('tfjs'))) process.exitCode = 1;
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(`bench failed: ${e.message}`);
  process.exit(1);
});
