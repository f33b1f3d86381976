/**
 * The bench page: one Gpu (our device), TF.js on the same device, every registered bench run in
 * this page. URL parameters: filter (comma-separated substrings), quick=1, rounds=N, sampleMs=N.
 * Results are exposed as window.__bench (a promise) for scripts/bench.sh's Playwright driver.
 */
import { type BenchResult, clockResolutionMs, runBenches, TIMING_METHOD } from '../src/bench/registry';
import { Gpu } from '../src/gpu/device';
import { benchRsvdVsJacobi, type RsvdBenchResult } from '../src/linalg/bench';
import { gemmProfileFor } from '../src/tensor/gemm-plan';
import { initTf } from './tf';
import './gemm';
import './fwht';
import './attention';
import './training';

// Every bench/families-*.ts registers its family's benches; one that fails to load is reported
// and the others still run.
const familyModules = import.meta.glob('./families-*.ts');

export interface BenchReport {
  date: string;
  userAgent: string;
  adapter: Gpu['info'];
  gemmProfile: string;
  timing: string;
  /** Step of performance.now() in this page (ms): every sample spans far more (≈ 120 ms). */
  clockResolutionMs: number;
  options: { filter: string[]; quick: boolean; rounds: number | null };
  results: BenchResult[];
  /** Randomized SVD (r = 32, niter = 4) vs exact Jacobi SVD on 512 × 512, when selected. */
  rsvd?: RsvdBenchResult;
}

declare global {
  interface Window {
    __bench?: Promise<BenchReport>;
    __benchLog?: (line: string) => void;
  }
}

const logEl = document.getElementById('log');
function log(line: string): void {
  if (logEl) logEl.textContent += `${line}\n`;
  window.__benchLog?.(line);
}

async function main(): Promise<BenchReport> {
  const q = new URLSearchParams(location.search);
  const filter = (q.get('filter') ?? '').split(',').filter(Boolean);
  const quick = q.get('quick') === '1';
  const rounds = q.get('rounds') ? Number(q.get('rounds')) : null;
  const sampleMs = q.get('sampleMs') ? Number(q.get('sampleMs')) : undefined;
  for (const [path, load] of Object.entries(familyModules)) {
    try {
      await load();
    } catch (e) {
      log(`${path}: FAILED to load: ${(e as Error).message}`);
    }
  }
  const gpu = await Gpu.create();
  await initTf(gpu);
  // What the app does once it has a device: CPU-shaped GEMM variants on fallback (CPU) adapters.
  gpu.variants.profile = gemmProfileFor(gpu.info);
  log(
    `adapter: ${gpu.info.vendor} / ${gpu.info.architecture}` +
      `${gpu.info.isFallbackAdapter ? ' (fallback)' : ''}; GEMM profile ${gpu.variants.profile}`,
  );
  const results = await runBenches(gpu, {
    filter,
    quick,
    rounds: rounds ?? undefined,
    sampleMs,
    log,
  });
  // The randomized-vs-exact SVD comparison awaits readbacks between steps, so it runs here rather
  // than through the synchronous registry (filter: "rsvd" or "linalg").
  let rsvd: RsvdBenchResult | undefined;
  if (!filter.length || filter.some((f) => 'linalg rsvd'.includes(f))) {
    log('linalg: randomized SVD (r = 32, niter = 4) vs exact Jacobi SVD, 512 × 512 ...');
    rsvd = await benchRsvdVsJacobi(gpu, { n: 512, rank: 32, niter: 4, rounds: quick ? 1 : 3, log });
  }
  return {
    date: new Date().toISOString(),
    userAgent: navigator.userAgent,
    adapter: gpu.info,
    gemmProfile: gpu.variants.profile,
    timing: TIMING_METHOD,
    clockResolutionMs: clockResolutionMs(),
    options: { filter, quick, rounds },
    results,
    rsvd,
  };
}

window.__bench = main();
window.__bench.catch((e: Error) => log(`FAILED: ${e.message}`));
