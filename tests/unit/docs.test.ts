/**
 * The repository is self-contained: README.md and docs/*.md link only to files inside it (a clone
 * has no ../shared), and every relative link points at a file that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const files = [
  resolve(ROOT, 'README.md'),
  ...readdirSync(resolve(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => resolve(ROOT, 'docs', f)),
];

/** Markdown link and image targets: [text](target) and ![alt](target). */
function links(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

describe('README and docs/ stand alone', () => {
  it('has docs/design.md and docs/methods.md, linked from README', () => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    expect(links(readme)).toContain('docs/design.md');
    expect(links(readme)).toContain('docs/methods.md');
  });

  for (const file of files)
    it(`${relative(ROOT, file)}: no link leaves the repository; every relative link exists`, () => {
      const text = readFileSync(file, 'utf8');
      expect(text).not.toMatch(/\.\.\/shared|shared\/references|shared\/DESIGN/);
      const broken: string[] = [];
      for (const target of links(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
        const path = resolve(dirname(file), decodeURI(target.split('#')[0]));
        if (!path.startsWith(`${ROOT}/`)) broken.push(`${target} (outside the repository)`);
        else if (!existsSync(path)) broken.push(`${target} (missing)`);
      }
      expect(broken).toEqual([]);
    });
});
