import { describe, expect, it } from 'vitest';
import { KIND_SCHEMAS } from './kind-schemas';
import { engineKind, KINDS } from './kinds';

describe('the two kind lists', () => {
  it('KINDS (engine) and KIND_SCHEMAS (GPU-free) hold the same kinds, in order, with the same schema objects', () => {
    expect(KINDS.map((k) => k.kind)).toEqual(KIND_SCHEMAS.map((k) => k.kind));
    KINDS.forEach((k, i) => {
      const s = KIND_SCHEMAS[i];
      expect(k.config, k.kind).toBe(s.config);
      expect(k.summary, k.kind).toBe(s.summary);
      expect(k.check, k.kind).toBe(s.check);
      expect(k.timingFields, k.kind).toBe(s.timingFields);
      expect(k.timingSeries, k.kind).toBe(s.timingSeries);
      expect(typeof k.run, k.kind).toBe('function');
    });
  });

  it('engineKind finds each kind and names the known ones for an unknown kind', () => {
    for (const k of KINDS) expect(engineKind(k.kind)).toBe(k);
    expect(() => engineKind('nope')).toThrow(/no engine for kind 'nope' \(known: approximation, /);
  });
});
