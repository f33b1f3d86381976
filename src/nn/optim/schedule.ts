import type { ScheduleSpec } from './schema';

/**
 * The learning-rate factor at optimizer step t (0-based) of `total`: linear warm-up
 * (t + 1)/warmup, then cosine from 1 down to minRatio at t = total − 1 (or constant 1).
 */
export function lrFactor(s: ScheduleSpec, t: number, total: number): number {
  if (t < s.warmup) return (t + 1) / s.warmup;
  if (s.decay === 'constant') return 1;
  const span = Math.max(1, total - 1 - s.warmup);
  const progress = Math.min(1, (t - s.warmup) / span);
  return s.minRatio + (1 - s.minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
