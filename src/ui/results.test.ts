import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LiveCoalescer } from './experiment-client';
import { applyRunEvent, configFromHash, configToHash, emptyView, etaSeconds, parseImport } from './results';

describe('LiveCoalescer', () => {
  it('keeps one request in flight and only the newest pending one', () => {
    const sent: Array<[number, number]> = [];
    const shown: number[] = [];
    const c = new LiveCoalescer<number, string>(
      (seq, req) => sent.push([seq, req]),
      (seq) => shown.push(seq),
    );
    c.submit(10); // sent at once
    c.submit(11); // pending
    c.submit(12); // replaces 11
    c.submit(13); // replaces 12
    expect(sent).toEqual([[1, 10]]);
    expect(c.dropped).toBe(2);
    c.answer(1, 'a', null);
    expect(shown).toEqual([1]);
    expect(sent).toEqual([
      [1, 10],
      [4, 13],
    ]);
    c.answer(3, 'stale', null); // not in flight: ignored
    expect(shown).toEqual([1]);
    c.answer(4, 'b', null);
    expect(shown).toEqual([1, 4]);
    expect(c.busy).toBe(false);
  });
});

describe('results helpers', () => {
  it('round-trips a config through the URL hash', () => {
    const cfg = { schema: 'smx/experiment@1', kind: 'approximation', seed: 7, name: 'a #b & c' };
    expect(configFromHash(configToHash(cfg))).toEqual(cfg);
    expect(configFromHash('#other')).toBeNull();
    expect(() => configFromHash('#config=%7Bnope')).toThrow(/not valid JSON/);
  });

  it('builds a partial view from streamed events', () => {
    let v = emptyView({ kind: 'approximation' });
    v = applyRunEvent(v, { type: 'metric', series: 'error/lowrank', step: 10, value: 0.5 });
    v = applyRunEvent(v, { type: 'metric', series: 'error/lowrank', step: 20, value: 0.25 });
    v = applyRunEvent(v, { type: 'artifact', name: 's', data: { type: 'vector', label: 's', values: [1] } });
    expect(v.series['error/lowrank']).toEqual([
      { step: 10, value: 0.5 },
      { step: 20, value: 0.25 },
    ]);
    expect(v.artifacts.s).toBeDefined();
    expect(v.status).toBe('running');
  });

  it('estimates the time left', () => {
    expect(etaSeconds(0.5, 4000)).toBeCloseTo(4);
    expect(etaSeconds(0, 4000)).toBeNull();
  });

  it('imports configs, rejects bad results naming the field, and never accepts non-JSON', () => {
    const preset = readFileSync('public/experiments/approximation.json', 'utf8');
    const ok = parseImport(preset, 'a.json');
    expect(ok.type).toBe('config');
    expect(() =>
      parseImport('{"schema":"smx/result@1","kind":"approximation","status":7}', 'r.json'),
    ).toThrow(/r\.json is not a valid result: .*status/s);
    expect(() => parseImport('{', 'x.json')).toThrow(/x\.json is not valid JSON/);
    expect(() => parseImport('{"a":1}', 'y.json')).toThrow(/neither a result/);
    // A JSON array of records becomes a binding config (MBAT encodes them).
    const rec = parseImport('[{"a":1},{"a":2,"b":{"c":"x"}}]', 'records.json');
    expect(rec.type === 'config' && rec.config.kind).toBe('binding');
    expect(rec.type === 'config' && (rec.config as { records?: unknown[] }).records).toHaveLength(2);
    expect(() => parseImport('[1]', 'one.json')).toThrow(/not usable as binding records: records/);
    const bad = JSON.parse(preset);
    bad.methods[0].rank = 999;
    expect(() => parseImport(JSON.stringify(bad), 'c.json')).toThrow(/methods\[0\]\.rank/);
  });
});
