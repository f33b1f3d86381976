import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// shaders/blockdiag.wgsl is written by scripts/gen-blockdiag.mjs (its unrolled register blocks are
// spelled out there); the kernels themselves are tested in src/structured/blockdiag.test.ts and
// monarch.test.ts.
describe('shaders/blockdiag.wgsl', () => {
  it('is what scripts/gen-blockdiag.mjs generates', () => {
    expect(() =>
      execFileSync('node', ['scripts/gen-blockdiag.mjs', '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('holds every entry point the TS side dispatches', () => {
    const src = readFileSync('shaders/blockdiag.wgsl', 'utf8');
    for (const entry of [
      'forward',
      'forward8',
      'fast4x8',
      'fast8x8',
      'fast8x16',
      'fast16x16',
      'gradX8x16',
      'gradW8x16',
      'gradW',
    ]) {
      expect(src).toMatch(new RegExp(`\\nfn ${entry}\\(`));
    }
  });
});
