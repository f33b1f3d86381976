import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { Rng } from '../tensor/rng';
import { writeNpy } from './npy';
import { writeSafetensors } from './safetensors';
import { loadMatrix } from './sources';
import { GENERATOR_NAMES, MatrixSource } from './sources.schema';
import { MatrixFileError, MatrixSourceError } from './types';

function zodMessage(input: unknown): string {
  const r = MatrixSource.safeParse(input);
  expect(r.success).toBe(false);
  return r.error ? r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : '';
}

describe('MatrixSource schema', () => {
  it('fills generator defaults', () => {
    expect(MatrixSource.parse({ source: 'generate', generator: 'lowrank-noise' })).toEqual({
      source: 'generate',
      generator: 'lowrank-noise',
      rows: 64,
      cols: 64,
      rank: 8,
      decayKind: 'geometric',
      decay: 0.7,
      noise: 1e-3,
    });
    expect(MatrixSource.parse({ source: 'generate', generator: 'toeplitz-bspline', n: 32 })).toEqual({
      source: 'generate',
      generator: 'toeplitz-bspline',
      n: 32,
      p: 3,
      alpha: 1.5,
      terms: 500,
    });
    expect(GENERATOR_NAMES).toEqual([
      'gaussian',
      'lowrank-noise',
      'monarch',
      'toeplitz-bspline',
      'orthogonal',
      'dft-monarch',
    ]);
  });

  it('rejects bad sources with a message naming the field', () => {
    expect(zodMessage({ source: 'generate', generator: 'gaussian', rows: 5000 })).toBe(
      'rows: at most 4096 per side (asked for 5000)',
    );
    expect(zodMessage({ source: 'generate', generator: 'lowrank-noise', rows: 10, cols: 4, rank: 5 })).toBe(
      'rank: rank 5 exceeds min(rows, cols) = 4',
    );
    expect(zodMessage({ source: 'generate', generator: 'monarch', n: 12, blocks: 5 })).toBe(
      'blocks: blocks 5 does not divide n = 12',
    );
    expect(zodMessage({ source: 'generate', generator: 'orthogonal', rows: 2048, cols: 1024 })).toBe(
      'cols: a 2048×1024 random orthonormal factor needs a CPU QR costing 2048·1024² = 2147483648, over the limit 1073741824 (= 1024³)',
    );
    expect(
      MatrixSource.safeParse({ source: 'generate', generator: 'orthogonal', rows: 4096, cols: 16 }).success,
    ).toBe(true);
    expect(
      zodMessage({ source: 'generate', generator: 'lowrank-noise', rows: 4096, cols: 4096, rank: 1024 }),
    ).toContain('rank: a 4096×1024');
    expect(zodMessage({ source: 'generate', generator: 'lowrank-noise', decay: 1.5 })).toContain(
      'decay: geometric decay must be ≤ 1',
    );
    expect(zodMessage({ source: 'generate', generator: 'image' })).toContain('generator');
    expect(zodMessage({ source: 'bytes', name: 'x.npy', format: 'csv' })).toContain('format');
    expect(zodMessage({ source: 'file' })).toContain('path');
    expect(zodMessage({ source: 'url', path: 'x' })).toContain('source');
  });
});

describe('loadMatrix', () => {
  it('generates every generator with the right shape, deterministically per seed', async () => {
    const cases: [Record<string, unknown>, number, number][] = [
      [{ generator: 'gaussian', rows: 17, cols: 5 }, 17, 5],
      [{ generator: 'lowrank-noise', rows: 9, cols: 13, rank: 3 }, 9, 13],
      [{ generator: 'monarch', n: 12 }, 12, 12],
      [{ generator: 'toeplitz-bspline', n: 9, terms: 50 }, 9, 9],
      [{ generator: 'orthogonal', rows: 3, cols: 8 }, 3, 8],
      [{ generator: 'dft-monarch', n: 16, part: 'imag' }, 16, 16],
    ];
    for (const [g, r, c] of cases) {
      const src = { source: 'generate' as const, ...g } as Parameters<typeof loadMatrix>[0];
      const a = await loadMatrix(src, { rng: new Rng(42) });
      expect([a.rows, a.cols, a.data.length]).toEqual([r, c, r * c]);
      expect(a.data.every(Number.isFinite)).toBe(true);
      expect(a.name).toContain(String(g.generator));
      expect((await loadMatrix(src, { rng: new Rng(42) })).data).toEqual(a.data);
    }
    const g1 = await loadMatrix({ source: 'generate', generator: 'gaussian' }, { rng: new Rng(1) });
    const g2 = await loadMatrix({ source: 'generate', generator: 'gaussian' }, { rng: new Rng(2) });
    expect(g1.data).not.toEqual(g2.data);
  });

  it('reads files through readFile (format by extension, else by magic) and bytes from the browser', async () => {
    const npy = writeNpy({ rows: 2, cols: 2, data: [1, 2, 3, 4] }, '<f8');
    const st = writeSafetensors({
      a: { rows: 1, cols: 3, data: [5, 6, 7] },
      b: { rows: 3, cols: 1, data: [8, 9, 10] },
    });
    const files: Record<string, Uint8Array> = { 'dir/m.npy': npy, 'dir/w.safetensors': st, noext: npy };
    const readFile = async (p: string) => {
      const f = files[p];
      if (!f) throw new Error(`ENOENT ${p}`);
      return f;
    };
    const a = await loadMatrix({ source: 'file', path: 'dir/m.npy' }, { rng: new Rng(0), readFile });
    expect(a).toEqual({ rows: 2, cols: 2, data: new Float64Array([1, 2, 3, 4]), name: 'm.npy' });
    const b = await loadMatrix(
      { source: 'file', path: 'dir/w.safetensors', tensor: 'b' },
      { rng: new Rng(0), readFile },
    );
    expect(b).toEqual({ rows: 3, cols: 1, data: new Float64Array([8, 9, 10]), name: 'w.safetensors:b' });
    expect((await loadMatrix({ source: 'file', path: 'noext' }, { rng: new Rng(0), readFile })).rows).toBe(2);
    await expect(
      loadMatrix({ source: 'file', path: 'dir/w.safetensors' }, { rng: new Rng(0), readFile }),
    ).rejects.toThrow("w.safetensors: name the tensor to read: 2-D tensors: 'a' (1×3 F32), 'b' (3×1 F32)");
    await expect(
      loadMatrix({ source: 'file', path: 'dir/m.npy', tensor: 'x' }, { rng: new Rng(0), readFile }),
    ).rejects.toThrow(MatrixFileError);
    const c = await loadMatrix(
      { source: 'bytes', name: 'drop.safetensors', format: 'safetensors', tensor: 'a' },
      { rng: new Rng(0), bytes: st },
    );
    expect(c).toEqual({ rows: 1, cols: 3, data: new Float64Array([5, 6, 7]), name: 'drop.safetensors:a' });
    await expect(
      loadMatrix({ source: 'bytes', name: 'drop.npy', format: 'npy' }, { rng: new Rng(0), bytes: st }),
    ).rejects.toThrow('drop.npy: not a .npy file');
  });

  it('says what is missing from the context, and rejects bad specs with ZodError', async () => {
    await expect(loadMatrix({ source: 'file', path: 'm.npy' }, { rng: new Rng(0) })).rejects.toThrow(
      MatrixSourceError,
    );
    await expect(
      loadMatrix({ source: 'bytes', name: 'm.npy', format: 'npy' }, { rng: new Rng(0) }),
    ).rejects.toThrow('source "bytes" (m.npy) needs the file\'s bytes');
    await expect(
      loadMatrix({ source: 'generate', generator: 'orthogonal', rows: 4097 }, { rng: new Rng(0) }),
    ).rejects.toBeInstanceOf(ZodError);
  });
});
