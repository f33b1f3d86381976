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
