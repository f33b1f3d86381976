import { describe, expect, it } from 'vitest';
import { getGpu } from '../../tests/unit/gpu';
import { FAMILY_NAMES, familyKernels, registeredFamilies } from './index';

describe('structured index', () => {
  it('registers every family named in the spec schema', () => {
    expect(
      registeredFamilies()
        .map((f) => f.name)
        .sort(),
    ).toEqual([...FAMILY_NAMES].sort());
  });

  it('every family kernel compiles ahead of use on this adapter', async () => {
    const gpu = await getGpu();
    const before = gpu.compiled;
    await gpu.precompile(familyKernels());
    expect(gpu.compiled - before).toBe(
      new Set(familyKernels().map((k) => JSON.stringify([k.name, k.entry, k.constants]))).size,
    );
    gpu.checkErrors();
  }, 180_000);
});
