/** Words for what ran: titles, stale-result notes, error advice, and the values controls offer. */
import { describe, expect, it } from 'vitest';
import { generate } from '../data/sources';
import { GENERATOR_NAMES, MatrixSource } from '../data/sources.schema';
import { Rng } from '../tensor/rng';
import {
  blockValues,
  divisors,
  monarchDefaultBlocks,
  nearest,
  nmPairs,
  SQUARE_GENERATORS,
  withMatrixSize,
} from './control-values';
import { describeConfig, errorAdvice, errorText, staleness } from './describe';

const approx = {
  kind: 'approximation',
  seed: 1,
  matrix: { source: 'generate', generator: 'lowrank-noise', rows: 64, cols: 64 },
  methods: [
    { family: 'lowrank', rank: 8 },
    { family: 'monarch', blocks: 8 },
  ],
};

describe('describeConfig', () => {
  it("keeps a preset's name, otherwise says what runs (a dropped file with its shape)", () => {
    expect(describeConfig({ ...approx, name: 'Preset title' })).toBe('Preset title');
    expect(describeConfig(approx)).toBe(
      'Approximation of lowrank-noise 64 × 64 by Low rank, Monarch (seed 1)',
    );
    const dropped = { ...approx, matrix: { source: 'bytes', name: 'w.npy', format: 'npy' } };
    expect(describeConfig(dropped, { rows: 100, cols: 80 })).toContain('w.npy (100 × 80)');
    expect(describeConfig({ kind: 'speedup', seed: 2, sizes: [64, 1024] })).toBe(
      'Speedup over dense GEMM at n = 64, 1024 (seed 2)',
    );
  });
});

describe('staleness', () => {
  it('is empty when the controls agree (names aside) and names what differs otherwise', () => {
    expect(staleness({ ...approx, name: 'x' }, approx)).toEqual([]);
    // The result spells out the defaults the engine filled in; the controls leave them unset.
    const filled = {
      ...approx,
      methods: [{ family: 'lowrank', rank: 8, method: 'auto' }, approx.methods[1]],
    };
    expect(staleness(filled, approx)).toEqual([]);
    const moved = { ...approx, methods: [{ family: 'lowrank', rank: 30 }, approx.methods[1]] };
    expect(staleness(approx, moved)).toEqual(['Low rank rank = 8 (controls: 30)']);
    expect(staleness(approx, { kind: 'spectrum', seed: 1 })).toEqual([
      'the approximation experiment (the controls are now for spectrum)',
    ]);
  });
  it('lists at most `limit` differences and counts the rest', () => {
    const other = { ...approx, seed: 2, matrix: { ...approx.matrix, rows: 32, cols: 32 } };
    const s = staleness(approx, other, 2);
    expect(s).toHaveLength(3);
    expect(s[2]).toBe('1 more');
  });
});

describe('errorAdvice', () => {
  it('says what to do for the engine messages it knows', () => {
    expect(errorAdvice('rank 100 is larger than min(out, in) = 64 for a 64 × 64 matrix')).toContain(
      'Rank must be ≤ 64',
    );
    expect(errorAdvice('source "bytes" (w.npy) needs the file\'s bytes')).toContain('drop the file again');
    expect(errorAdvice('something else')).toBeNull();
    expect(errorText({ name: 'SpecError', path: 'methods[0].rank', message: 'x' })).toBe(
      'SpecError (methods[0].rank): x',
    );
  });
});

describe('control values', () => {
  it('blocks divide both sides (Monarch: the columns); Monarch defaults near √n', () => {
    expect(divisors(12)).toEqual([1, 2, 3, 4, 6, 12]);
    expect(blockValues('blockdiag', 100, 80)).toEqual([1, 2, 4, 5, 10, 20]);
    expect(blockValues('monarch', 100, 80)).toEqual(divisors(80));
    expect(monarchDefaultBlocks(64)).toBe(8);
    expect(monarchDefaultBlocks(80)).toBe(8);
  });
  it('N:M pairs have n < m and m dividing the columns', () => {
    expect(nmPairs(12)).toEqual([
      { n: 1, m: 2 },
      { n: 1, m: 4 },
      { n: 2, m: 4 },
    ]);
    for (const p of nmPairs(64)) expect(64 % p.m === 0 && p.n < p.m).toBe(true);
    expect(nearest([1, 2, 4, 8], 5)).toBe(4);
  });
});

describe('Matrix size on every generator', () => {
  it('changes the size of the matrix the generator makes, through the field it has (n or rows × cols)', () => {
    expect([...SQUARE_GENERATORS].sort()).toEqual(['dft-monarch', 'monarch', 'toeplitz-bspline']);
    const generators = MatrixSource.options.flatMap((x) => ('options' in x ? x.options : []));
    expect(generators.map((o) => o.shape.generator.value)).toEqual(GENERATOR_NAMES);
    for (const o of generators) {
      const generator = o.shape.generator.value;
      const start = MatrixSource.parse({
        source: 'generate',
        generator,
        ...(generator === 'monarch' ? { blocks: 8 } : {}),
      });
      for (const v of [24, 40]) {
        const next = withMatrixSize(start as Record<string, unknown>, v);
        // Strict sources: the resized spec parses (no key the generator lacks) …
        const parsed = MatrixSource.parse(next);
        if (parsed.source !== 'generate') throw new Error('not a generator');
        // … and the matrix it generates is v × v.
        const m = generate(parsed, new Rng(1));
        expect([m.rows, m.cols], `${generator} at ${v}`).toEqual([v, v]);
      }
    }
    // A Monarch block count that no longer divides n falls back to the default.
    expect(withMatrixSize({ source: 'generate', generator: 'monarch', n: 64, blocks: 8 }, 20)).toEqual({
      source: 'generate',
      generator: 'monarch',
      n: 20,
    });
  });
});
