import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { prepareCorpora } from '../../scripts/prepare-corpora.mjs';
import { CORPUS_NAMES } from './corpus-names';
import { lowRankRegressionTask } from './regression';
import { Batcher, CharVocab, CorpusError, evalBatches, loadCorpus, loadTextDataset, splitText } from './text';

describe('corpora', () => {
  it('the committed files equal what scripts/prepare-corpora.mjs makes from the pinned packages', () => {
    const made = prepareCorpora() as Record<string, string>;
    for (const [name, text] of Object.entries(made)) {
      const committed = readFileSync(resolve(import.meta.dirname, 'corpora', `${name}.txt`), 'utf8');
      expect(committed === text, `${name}.txt is stale: run node scripts/prepare-corpora.mjs`).toBe(true);
    }
  });

  it('every corpus loads, is ASCII, and has a small vocabulary', async () => {
    for (const name of CORPUS_NAMES) {
      const text = await loadCorpus(name);
      expect(text.length).toBeGreaterThan(20_000);
      expect(/^[\n\x20-\x7e]*$/.test(text)).toBe(true);
      expect(CharVocab.fromText(text).size).toBeLessThanOrEqual(96);
    }
  });

  it("'names' is the two lists merged, sorted and without duplicates", async () => {
    const [m, f, all] = await Promise.all([
      loadCorpus('male-names'),
      loadCorpus('female-names'),
      loadCorpus('names'),
    ]);
    const lines = all.trim().split('\n');
    expect(lines).toEqual([...new Set([...m.trim().split('\n'), ...f.trim().split('\n')])].sort());
  });

  it('an unknown corpus is a clear error', async () => {
    await expect(loadCorpus('bible' as never)).rejects.toThrow(/unknown corpus 'bible'.*moby-dick/);
  });
});

describe('char vocabulary', () => {
  it('encodes and decodes back; ids are indices of the sorted characters', () => {
    const v = CharVocab.fromText('hello world\n');
    expect(v.chars).toEqual(['\n', ' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    const ids = v.encode('held');
    expect([...ids]).toEqual([4, 3, 5, 2]);
    expect(v.decode(ids)).toBe('held');
    expect(() => v.encode('hex')).toThrow(CorpusError);
    expect(() => v.decode([9])).toThrow(/outside the vocabulary/);
  });
});

describe('split and batches', () => {
  const ids = Uint32Array.from({ length: 1000 }, (_, i) => i % 97);

  it('splits prose contiguously: the validation part is the tail', () => {
    const text = 'abcdefghij'.repeat(100);
    const { train, val } = splitText(text, 'prose', 0.1);
    expect(train.length).toBe(900);
    expect(val).toBe(text.slice(900));
    expect(() => splitText(text, 'prose', 1)).toThrow(/valFraction/);
  });

  it('splits line corpora by a seeded shuffle of whole lines', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `n${String(i).padStart(3, '0')}`);
    const text = `${lines.join('\n')}\n`;
    const a = splitText(text, 'lines', 0.1);
    const tr = a.train.split('\n').filter((l) => l);
    const va = a.val.split('\n').filter((l) => l);
    expect(va.length).toBe(20);
    expect(a.train.endsWith('\n') && a.val.endsWith('\n')).toBe(true);
    // every line exactly once, in one part or the other
    expect([...tr, ...va].sort()).toEqual(lines);
    // not the sorted tail: validation lines come from all over the list
    expect(va).not.toEqual(lines.slice(180));
    expect(va.some((l) => l < 'n100') && va.some((l) => l >= 'n100')).toBe(true);
    expect(splitText(text, 'lines', 0.1)).toEqual(a);
    expect(splitText(text, 'lines', 0.1, 1).val).not.toBe(a.val);
    expect(() => splitText('one\n', 'lines', 0.1)).toThrow(/at least 2 lines/);
  });

  it('batches are windows with next-token targets, the same for the same seed', () => {
    const a = new Batcher(ids, 4, 17, 5);
    const b = new Batcher(ids, 4, 17, 5);
    const c = new Batcher(ids, 4, 17, 6);
    const ba = a.next();
    expect(ba.x).toEqual(b.next().x);
    expect(ba.x).not.toEqual(c.next().x);
    for (let r = 0; r < 4; r++) {
      const o = ids.indexOf(ba.x[r * 17]);
      expect(o).toBeGreaterThanOrEqual(0);
      for (let t = 0; t < 17; t++) {
        // targets are the input shifted by one
        if (t < 16) expect(ba.y[r * 17 + t]).toBe(ba.x[r * 17 + t + 1]);
        expect(ba.y[r * 17 + t]).toBe((ba.x[r * 17 + t] + 1) % 97);
      }
    }
    expect(() => new Batcher(ids.subarray(0, 5), 1, 5, 0)).toThrow(/fewer than context \+ 1/);
  });

  it('evaluation windows are fixed and cover the text', () => {
    const e = evalBatches(ids, 3, 5, 7);
    expect(e.map((b) => b.batch)).toEqual([3, 3, 1]);
    expect(e[0].x[0]).toBe(ids[0]);
    expect(evalBatches(ids, 3, 5, 7)).toEqual(e);
  });

  it('loads a corpus as a dataset whose parts decode back to its lines (names: shuffled split)', async () => {
    const d = await loadTextDataset('female-names', 0.1);
    const text = await loadCorpus('female-names');
    const lines = (t: string) => t.split('\n').filter((l) => l);
    const val = lines(d.vocab.decode(d.val));
    expect([...lines(d.vocab.decode(d.train)), ...val].sort()).toEqual(lines(text).sort());
    // the validation names are not one alphabetical run
    expect(new Set(val.map((n) => n[0])).size).toBeGreaterThan(10);
  });
});

describe('low-rank regression task', () => {
  it('teacher = base + B·A of the asked norm ratio, y = x·teacherᵀ', () => {
    const t = lowRankRegressionTask({ rows: 5, cols: 7, rank: 2, samples: 3, deltaNorm: 0.25, seed: 1 });
    const fro = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
    expect(fro(t.delta) / fro(t.base)).toBeCloseTo(0.25, 12);
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 7; j++) {
        let ba = 0;
        for (let k = 0; k < 2; k++) ba += t.B[i * 2 + k] * t.A[k * 7 + j];
        expect(t.delta[i * 7 + j]).toBeCloseTo(ba, 12);
        expect(t.teacher[i * 7 + j]).toBeCloseTo(t.base[i * 7 + j] + ba, 12);
      }
    for (let n = 0; n < 3; n++)
      for (let i = 0; i < 5; i++) {
        let acc = 0;
        for (let j = 0; j < 7; j++) acc += t.x[n * 7 + j] * t.teacher[i * 7 + j];
        expect(t.y[n * 5 + i]).toBeCloseTo(acc, 12);
      }
    expect(lowRankRegressionTask({ rows: 5, cols: 7, rank: 2, samples: 3, seed: 1 }).x).toEqual(
      lowRankRegressionTask({ rows: 5, cols: 7, rank: 2, samples: 3, seed: 1 }).x,
    );
    expect(() => lowRankRegressionTask({ rows: 2, cols: 7, rank: 3, samples: 1, seed: 0 })).toThrow(/rank 3/);
  });
});
