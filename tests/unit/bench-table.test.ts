/**
 * README's benchmark tables are rendered from the committed bench JSON (scripts/bench-table.mjs):
 * this fails when someone edits one without the other. Regenerate with
 *   node scripts/bench-table.mjs --write
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ATT_END,
  ATT_START,
  ATTENTION_RESULTS,
  README_RESULTS,
  readmeTables,
  renderAttentionTables,
  renderTables,
} from '../../scripts/bench-table.mjs';

const ROOT = resolve(import.meta.dirname, '../..');

describe('README benchmark tables', () => {
  it(`match ${README_RESULTS} (node scripts/bench-table.mjs --write)`, () => {
    const report = JSON.parse(readFileSync(resolve(ROOT, README_RESULTS), 'utf8'));
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const inReadme = readmeTables(readme);
    expect(inReadme, 'README.md lacks the bench-table markers').not.toBeNull();
    expect(inReadme).toBe(renderTables(report, README_RESULTS));
  });

  it('every structured row in the JSON passed its f64 oracle check and quotes its spread', () => {
    const report = JSON.parse(readFileSync(resolve(ROOT, README_RESULTS), 'utf8'));
    // The groups README's tables show (other groups in the file are other kernels' benches).
    const groups = ['gemm', 'blockdiag', 'monarch', 'kronecker', 'lowrank', 'sparse'];
    const ours = report.results.filter(
      (r: { name: string; group: string }) => groups.includes(r.group) && !r.name.startsWith('tfjs'),
    );
    expect(ours.length).toBeGreaterThan(0);
    for (const r of ours) {
      expect(r.error, `${r.group} ${r.shape} ${r.name}`).toBeUndefined();
      expect(r.samplesMs.length, r.name).toBeGreaterThanOrEqual(5);
      expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
      expect(r.medianMs).toBeLessThanOrEqual(r.maxMs);
    }
    // The family applies (the rows with a dense baseline and a TF.js rival) were checked.
    for (const r of ours.filter(
      (x: { tfSpeedup?: number; group: string }) => x.group !== 'gemm' && x.tfSpeedup !== undefined,
    ))
      expect(r.oracleError, `${r.group} ${r.name}`).toBeLessThan(1e-4);
  });

  it(`README.md and docs/benchmarks.md attention tables match ${ATTENTION_RESULTS}`, () => {
    const report = JSON.parse(readFileSync(resolve(ROOT, ATTENTION_RESULTS), 'utf8'));
    const want = renderAttentionTables(report, ATTENTION_RESULTS);
    for (const doc of ['README.md', 'docs/benchmarks.md']) {
      const got = readmeTables(readFileSync(resolve(ROOT, doc), 'utf8'), ATT_START, ATT_END);
      expect(got, `${doc} lacks the attention-table markers`).not.toBeNull();
      expect(got, doc).toBe(want);
    }
    // Every attention bench passed its f64 check (sampled rows) before it was timed.
    for (const r of report.results) {
      expect(r.error, `${r.group} ${r.shape} ${r.name}`).toBeUndefined();
      expect(r.samplesMs.length).toBeGreaterThanOrEqual(5);
      expect(r.oracleError, `${r.group} ${r.shape} ${r.name}`).toBeLessThan(1e-4);
    }
  });
});
