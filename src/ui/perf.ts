/**
 * Cold-start marks (performance.mark, names `smx:<phase>`), each recorded once per page: the e2e
 * latency test reads them to print where the time before the first live figure goes. The worker's
 * phases arrive as epoch times (its clock has another origin) and are re-based onto the page's.
 */
const seen = new Set<string>();

/** Mark `phase` now (or at epoch time `epochMs`), the first time only. */
export function markOnce(phase: string, epochMs?: number): void {
  if (seen.has(phase) || typeof performance === 'undefined' || !performance.mark) return;
  seen.add(phase);
  const startTime = epochMs === undefined ? performance.now() : epochMs - performance.timeOrigin;
  try {
    performance.mark(`smx:${phase}`, { startTime: Math.max(0, startTime) });
  } catch {
    // A browser without mark options: the phase is simply not recorded.
  }
}

/** Per-draw timings (performance.measure `smx:draw:<chart>`), only on pages opened with ?test-hooks=1. */
const measuring =
  typeof location !== 'undefined' && new URLSearchParams(location.search).get('test-hooks') === '1';

/** Record how long one chart's draw took (from `startMs`, a performance.now() time), when measuring. */
export function measureDraw(chart: string, startMs: number): void {
  if (!measuring) return;
  try {
    performance.measure(`smx:draw:${chart}`, { start: startMs, end: performance.now() });
  } catch {
    // No measure options in this browser: nothing recorded.
  }
}

let settleFiguresDrawn: () => void = () => {};
/** Resolves once the page's first figures are all drawn (the worker's warm-up waits for it). */
export const figuresDrawn = new Promise<void>((resolve) => {
  settleFiguresDrawn = resolve;
});

/** Called by the chart draw queue when it runs dry after drawing. */
export function markFiguresDrawn(): void {
  markOnce('figures-drawn');
  settleFiguresDrawn();
}
