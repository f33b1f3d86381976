/**
 * Real text for training: corpora loaded through `?raw` imports (lazy chunks in the browser and
 * worker bundles; inlined in the CLI bundle and vitest alike, so every front end reads the same
 * bytes), a character-level vocabulary, a seeded train / validation split (by line for name lists), and seeded
 * batching of (input, next-token target) windows.
 */
import { Rng } from '../tensor/rng';
import { CORPUS_INFO, CORPUS_NAMES, type CorpusName } from './corpus-names';

const LOADERS: Record<Exclude<CorpusName, 'names'>, () => Promise<string>> = {
  'male-names': async () => (await import('./corpora/male-names.txt?raw')).default,
  'female-names': async () => (await import('./corpora/female-names.txt?raw')).default,
  'moby-dick': async () => (await import('./corpora/moby-dick.txt?raw')).default,
  sotu: async () => (await import('./corpora/sotu.txt?raw')).default,
};

export class CorpusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorpusError';
  }
}

/** The prepared text of a corpus ('names' = the male and female lists merged, sorted, unique). */
export async function loadCorpus(name: CorpusName): Promise<string> {
  if (!(CORPUS_NAMES as readonly string[]).includes(name))
    throw new CorpusError(`unknown corpus '${name}' (known: ${CORPUS_NAMES.join(', ')})`);
  if (name === 'names') {
    const [m, f] = await Promise.all([LOADERS['male-names'](), LOADERS['female-names']()]);
    const lines = new Set([...m.split('\n'), ...f.split('\n')].filter((l) => l.length > 0));
    return `${[...lines].sort().join('\n')}\n`;
  }
  return LOADERS[name]();
}

/** Character-level vocabulary: the sorted distinct characters of a text; token id = index. */
export class CharVocab {
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  constructor(chars: readonly string[]) {
    if (chars.length === 0) throw new CorpusError('a vocabulary needs at least one character');
    this.chars = [...chars];
    this.index = new Map(this.chars.map((c, i) => [c, i]));
    if (this.index.size !== this.chars.length)
      throw new CorpusError('vocabulary characters must be distinct');
  }

  static fromText(text: string): CharVocab {
    return new CharVocab([...new Set(text)].sort());
  }

  get size(): number {
    return this.chars.length;
  }

  encode(text: string): Uint32Array {
    const out = new Uint32Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const id = this.index.get(text[i]);
      if (id === undefined)
        throw new CorpusError(`character ${JSON.stringify(text[i])} at ${i} is not in the vocabulary`);
      out[i] = id;
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const c = this.chars[ids[i]];
      if (c === undefined)
        throw new CorpusError(`token id ${ids[i]} is outside the vocabulary (${this.size})`);
      s += c;
    }
    return s;
  }
}

export interface TextDataset {
  corpus: CorpusName;
  vocab: CharVocab;
  train: Uint32Array;
  val: Uint32Array;
}

/**
 * The seed of the line shuffle in `splitText`. Fixed (not the run's seed), so every run, recipe
 * and experiment on a corpus validates on the same held-out lines and their losses compare.
 */
export const SPLIT_SEED = 0;

/**
 * Train / validation split of a corpus's text. Line corpora ('lines', e.g. names, which are
 * sorted): the non-empty lines are shuffled (Fisher–Yates, seeded `Rng(seed)`) and the last
 * max(1, round(valFraction · lines)) validate; each part is its lines joined by '\n' with a final
 * '\n', so no line is split and none is in both parts (duplicates aside). Prose: the first
 * (1 − valFraction) of the characters train, the rest validate (contiguous, as nanoGPT).
 */
export function splitText(
  text: string,
  unit: 'lines' | 'prose',
  valFraction: number,
  seed = SPLIT_SEED,
): { train: string; val: string } {
  if (!(valFraction > 0 && valFraction < 1))
    throw new CorpusError(`valFraction must be in (0, 1), got ${valFraction}`);
  if (unit === 'prose') {
    const n = Math.floor(text.length * (1 - valFraction));
    return { train: text.slice(0, n), val: text.slice(n) };
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length < 2) throw new CorpusError(`a line corpus needs at least 2 lines, got ${lines.length}`);
  const rng = new Rng(seed);
  for (let i = lines.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = lines[i];
    lines[i] = lines[j];
    lines[j] = t;
  }
  const nVal = Math.min(lines.length - 1, Math.max(1, Math.round(valFraction * lines.length)));
  const cut = lines.length - nVal;
  return { train: `${lines.slice(0, cut).join('\n')}\n`, val: `${lines.slice(cut).join('\n')}\n` };
}

/** How a corpus is split, in words (recorded with the shipped weights). */
export function splitDescription(name: CorpusName): string {
  return CORPUS_INFO[name].unit === 'lines'
    ? `lines, seeded shuffle (SPLIT_SEED ${SPLIT_SEED})`
    : 'prose, contiguous tail';
}

/**
 * A corpus as a dataset: the vocabulary of the whole text, and the token ids of its train and
 * validation parts (`splitText` by the corpus's unit, CORPUS_INFO).
 */
export async function loadTextDataset(name: CorpusName, valFraction = 0.1): Promise<TextDataset> {
  const text = await loadCorpus(name);
  const vocab = CharVocab.fromText(text);
  return { corpus: name, vocab, ...splitCorpus(vocab, name, text, valFraction) };
}

/** The token ids of a corpus text's train and validation parts (`splitText` by its unit). */
export function splitCorpus(
  vocab: CharVocab,
  name: CorpusName,
  text: string,
  valFraction: number,
): { train: Uint32Array; val: Uint32Array } {
  const { train, val } = splitText(text, CORPUS_INFO[name].unit, valFraction);
  return { train: vocab.encode(train), val: vocab.encode(val) };
}

export interface TokenBatch {
  /** Inputs, [batch × context] row-major. */
  x: Int32Array;
  /** Targets: the next token of each input position. */
  y: Int32Array;
  batch: number;
  context: number;
}

/**
 * Seeded batches of random windows: window i starts at a uniform offset in [0, n − context − 1],
 * x = ids[o .. o + context), y = ids[o + 1 .. o + context + 1). Same seed → same batches.
 */
export class Batcher {
  private readonly rng: Rng;

  constructor(
    readonly ids: Uint32Array,
    readonly batch: number,
    readonly context: number,
    seed: number,
  ) {
    if (ids.length < context + 1)
      throw new CorpusError(`the text has ${ids.length} tokens, fewer than context + 1 = ${context + 1}`);
    this.rng = new Rng(seed);
  }

  next(): TokenBatch {
    const { batch, context, ids } = this;
    const x = new Int32Array(batch * context);
    const y = new Int32Array(batch * context);
    const span = ids.length - context;
    for (let b = 0; b < batch; b++) {
      const o = this.rng.int(span);
      for (let t = 0; t < context; t++) {
        x[b * context + t] = ids[o + t];
        y[b * context + t] = ids[o + t + 1];
      }
    }
    return { x, y, batch, context };
  }
}

/**
 * Fixed evaluation windows (the same every call, for comparable validation losses): `count`
 * windows evenly spaced through the ids, grouped into batches of `batch`.
 */
export function evalBatches(ids: Uint32Array, batch: number, context: number, count: number): TokenBatch[] {
  const span = ids.length - context;
  if (span < 1)
    throw new CorpusError(`the text has ${ids.length} tokens, fewer than context + 1 = ${context + 1}`);
  const out: TokenBatch[] = [];
  for (let start = 0; start < count; start += batch) {
    const nb = Math.min(batch, count - start);
    const x = new Int32Array(nb * context);
    const y = new Int32Array(nb * context);
    for (let b = 0; b < nb; b++) {
      const o = Math.floor(((start + b) * span) / count);
      for (let t = 0; t < context; t++) {
        x[b * context + t] = ids[o + t];
        y[b * context + t] = ids[o + t + 1];
      }
    }
    out.push({ x, y, batch: nb, context });
  }
  return out;
}
