import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UNROLLED } from '../../scripts/gen-attention.mjs';
import { UNROLLED_HEAD_DIMS } from '../../src/attention/fused';

// shaders/attention-fused.wgsl and attention-sparse.wgsl are written by scripts/gen-attention.mjs
// (their unrolled entry points are spelled out there); the kernels themselves are tested against the
// f64 oracle in src/attention/fused.test.ts and sparse.test.ts, at unrolled and general head dims.
describe('shaders/attention-fused.wgsl, attention-sparse.wgsl', () => {
  it('are what scripts/gen-attention.mjs generates', () => {
    expect(() =>
      execFileSync('node', ['scripts/gen-attention.mjs', '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('hold the unrolled entry points the TS side dispatches, for the same head dims', () => {
    expect([...UNROLLED_HEAD_DIMS]).toEqual(UNROLLED);
    const fused = readFileSync('shaders/attention-fused.wgsl', 'utf8');
    const sparse = readFileSync('shaders/attention-sparse.wgsl', 'utf8');
    for (const d of UNROLLED_HEAD_DIMS) {
      for (const e of ['forward', 'dq', 'dkv']) expect(fused).toMatch(new RegExp(`\\nfn ${e}_d${d}\\(`));
      expect(sparse).toMatch(new RegExp(`\\nfn forward_d${d}\\(`));
    }
  });
});
