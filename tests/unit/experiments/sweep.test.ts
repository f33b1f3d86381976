/**
 * The approximation sweep accounts for every budget: each one is a point or is listed in
 * `summary.skipped` with the reason (no member small enough, or the same member as a smaller
 * budget) — never silently dropped.
 */
import { describe, expect, it } from 'vitest';
import { sweepPlan } from '../../../src/experiments/approximation';
import { getFamily } from '../../../src/structured/registry';
import type { FamilyName } from '../../../src/structured/specs';

const BUDGETS = [0.02, 0.0625, 0.125, 0.25, 0.26, 0.5];

describe('sweep budgets a family cannot meet', () => {
  for (const family of [
    'lowrank',
    'monarch',
    'blockdiag',
    'sparse',
    'nm-sparse',
    'kronecker',
  ] as FamilyName[])
    it(`${family} on 64 × 64: every budget is a point or skipped with its reason`, () => {
      const { points, skipped } = sweepPlan(family, 64, 64, BUDGETS);
      expect([...points.map((p) => p.budget), ...skipped.map((s) => s.budget)].sort((a, b) => a - b)).toEqual(
        BUDGETS,
      );
      for (const p of points) expect(p.params).toBeLessThanOrEqual(p.budget * 64 * 64);
      const smallest = Math.min(...points.map((p) => p.params));
      for (const s of skipped) {
        expect(s.family).toBe(family);
        const over = s.budget * 64 * 64 < smallest;
        expect(s.reason).toMatch(
          over
            ? new RegExp(
                `^the smallest ${family} member for 64 × 64, .* \\(\\d[\\d,]* parameters\\), is over the budget ${s.budget} × 64 × 64 = \\d+ parameters$`,
              )
            : /^the largest member within the budget .* is .*, already the point of budget [\d.]+$/,
        );
      }
    });

  it('Monarch on 64 × 64: the smallest member (m1 = 8) is 1024 parameters, so budgets below 1/4 are skipped, and 0.26 repeats 0.25', () => {
    const { points, skipped } = sweepPlan('monarch', 64, 64, BUDGETS);
    const mono = getFamily('monarch');
    expect(mono.paramCount({ family: 'monarch', blocks: 8 } as never, 64, 64)).toBe(1024);
    expect(points.map((p) => p.budget)).toEqual([0.25, 0.5]);
    expect(skipped.map((s) => s.budget)).toEqual([0.02, 0.0625, 0.125, 0.26]);
    expect(skipped[0].reason).toBe(
      'the smallest monarch member for 64 × 64, Monarch (m1 = 8) (1,024 parameters), is over the budget 0.02 × 64 × 64 = 81 parameters',
    );
    expect(skipped[3].reason).toBe(
      'the largest member within the budget 0.26 × 64 × 64 = 1,064 parameters is Monarch (m1 = 8) (1,024 parameters), already the point of budget 0.25',
    );
  });
});
