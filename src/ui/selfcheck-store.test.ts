/** The page's state logic, without a browser: the worker-event reducer, support check, formatting. */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../runtime/selfcheck';
import { formatBytes, formatError, formatMs } from './format';
import { applyEvent, type CheckState, doneCount, initialState } from './selfcheck-store';
import { detectWebGPU } from './webgpu-support';

const result = (name: string, ok: boolean): CheckResult => ({
  name,
  detail: '',
  maxError: ok ? 1e-7 : 1,
  bound: 1e-5,
  ok,
  ms: 3,
});

function replay(events: Parameters<typeof applyEvent>[1][]): CheckState {
  let s: CheckState = { ...initialState, phase: 'starting' };
  for (const e of events) s = { ...s, ...applyEvent(s, e) };
  return s;
}

describe('applyEvent', () => {
  it('walks a run from adapter to verdict, counting progress', () => {
    const adapter = {
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: '',
      isFallbackAdapter: true,
      features: ['timestamp-query'],
      limits: {
        maxStorageBufferBindingSize: 2 ** 30,
        maxBufferSize: 2 ** 30,
        maxComputeWorkgroupStorageSize: 32768,
        maxComputeInvocationsPerWorkgroup: 256,
        maxComputeWorkgroupsPerDimension: 65535,
        maxStorageBuffersPerShaderStage: 10,
      },
    };
    const mid = replay([
      { type: 'adapter', adapter },
      { type: 'plan', names: ['a', 'b'] },
      { type: 'start', index: 0, name: 'a' },
      { type: 'result', index: 0, result: result('a', true) },
      { type: 'start', index: 1, name: 'b' },
    ]);
    expect(mid.phase).toBe('running');
    expect(mid.adapter?.architecture).toBe('swiftshader');
    expect(doneCount(mid)).toBe(1);
    expect(mid.current).toBe(1);
    const end = replay([
      { type: 'adapter', adapter },
      { type: 'plan', names: ['a', 'b'] },
      { type: 'result', index: 1, result: result('b', false) },
      { type: 'result', index: 0, result: result('a', true) },
      { type: 'done', ok: false, ms: 12 },
    ]);
    expect(end.phase).toBe('done');
    expect(end.passed).toBe(false);
    expect(end.results.map((r) => r?.name)).toEqual(['a', 'b']);
    expect(end.current).toBeNull();
  });

  it('unavailable and error events', () => {
    const u = replay([{ type: 'unavailable', message: 'no GPU adapter was found' }]);
    expect(u.phase).toBe('unavailable');
    expect(u.unavailable).toMatch(/no GPU adapter/);
    const e = replay([
      { type: 'error', name: 'DeviceLostError', message: 'lost' },
      { type: 'error', name: 'WorkerError', message: '<b>x</b>' },
    ]);
    expect(e.phase).toBe('error');
    expect(e.errors).toEqual(['DeviceLostError: lost', 'WorkerError: <b>x</b>']);
  });
});

describe('detectWebGPU', () => {
  it('needs a secure context and navigator.gpu', () => {
    expect(detectWebGPU({ isSecureContext: true, navigator: { gpu: {} } })).toEqual({ ok: true });
    const insecure = detectWebGPU({ isSecureContext: false, navigator: { gpu: {} } });
    expect(insecure.ok).toBe(false);
    expect(!insecure.ok && insecure.reason).toMatch(/https.*localhost/);
    const missing = detectWebGPU({ isSecureContext: true, navigator: {} });
    expect(!missing.ok && missing.reason).toMatch(/navigator\.gpu is missing/);
  });
});

describe('format', () => {
  it('bytes, errors, times', () => {
    expect(formatBytes(2 ** 30)).toBe('1 GiB');
    expect(formatBytes(128 * 2 ** 20)).toBe('128 MiB');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(100)).toBe('100 B');
    expect(formatError(3.14e-7)).toBe('3.1e-7');
    expect(formatError(0)).toBe('0');
    expect(formatError(Number.NaN)).toBe('—');
    expect(formatError(2)).toBe('2.0e0');
    expect(formatMs(0.5)).toBe('0.50 ms');
    expect(formatMs(2500)).toBe('2.5 s');
  });
});
