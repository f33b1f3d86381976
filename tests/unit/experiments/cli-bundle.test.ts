/**
 * `npm run experiment` end to end: scripts/experiment.sh builds the Node bundle
 * (vite.cli.config.ts) and runs it in a child process on Dawn. Catches what the in-process tests
 * cannot: bundling (WGSL ?raw imports, module evaluation order) and the real exit codes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESET_DIR, ROOT, schemaErrors } from './helpers';

function experiment(args: string[]) {
  const r = spawnSync('bash', [resolve(ROOT, 'scripts/experiment.sh'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, INIT_CWD: ROOT },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run experiment (bundled CLI in a child process)', () => {
  it('runs a preset (exit 0, valid result on stdout), re-runs an edited result (exit 3) and rejects an invalid config (exit 2, field path)', () => {
    const ok = experiment([resolve(PRESET_DIR, 'speedup.json'), '--quiet']);
    expect(ok.stderr).not.toMatch(/error/i);
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.stdout);
    expect(result.status).toBe('finished');
    expect(schemaErrors('result', result)).toBe('');

    const dir = mkdtempSync(join(tmpdir(), 'smx-cli-'));
    // Re-running a result whose figures were edited: exit 3, the new result still on stdout.
    result.summary.kernels[0].params += 1;
    const edited = join(dir, 'edited-result.json');
    writeFileSync(edited, JSON.stringify(result));
    const again = experiment([edited, '--quiet']);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('largest difference summary.kernels[0].params: ');
    expect(JSON.parse(again.stdout).status).toBe('finished');

    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        schema: 'smx/experiment@1',
        kind: 'speedup',
        kernels: [
          { family: 'lowrank', rank: 4 },
          { family: 'lowrank', rank: 100 },
        ],
        sizes: [64],
      }),
    );
    const r = experiment([bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kernels\[1\]\.rank: /);
    expect(r.stdout).toBe('');
  }, 300_000);
});
