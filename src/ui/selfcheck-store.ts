/**
 * State of the self-check (zustand): the kernels checked against the f64 oracle, their results and
 * the adapter it ran on. Components read it and call its actions; the reducer `applyEvent` is a
 * pure function of the worker's events, so it can be tested without a browser.
 */
import { create } from 'zustand';
import type { AdapterSummary } from '../gpu/device';
import type { CheckResult, SelfCheckEvent } from '../runtime/selfcheck';
import { type SelfCheckClient, startSelfCheckWorker } from './selfcheck-client';
import { detectWebGPU, type Support } from './webgpu-support';

export type Phase = 'idle' | 'starting' | 'running' | 'done' | 'unavailable' | 'error';

export interface CheckState {
  phase: Phase;
  adapter: AdapterSummary | null;
  /** Names of the planned checks, in order. */
  names: string[];
  /** Results by index (undefined until that check has run). */
  results: Array<CheckResult | undefined>;
  /** Index of the check running now. */
  current: number | null;
  /** Overall verdict once every check has run. */
  passed: boolean | null;
  totalMs: number | null;
  /** Why WebGPU cannot be used here (phase 'unavailable'). */
  unavailable: string | null;
  /** Errors to show in the banner (plain text). */
  errors: string[];
  seed: number;
}

export const initialState: CheckState = {
  phase: 'idle',
  adapter: null,
  names: [],
  results: [],
  current: null,
  passed: null,
  totalMs: null,
  unavailable: null,
  errors: [],
  seed: 20261201,
};

/** The state change one worker event causes. */
export function applyEvent(s: CheckState, e: SelfCheckEvent): Partial<CheckState> {
  switch (e.type) {
    case 'adapter':
      return { adapter: e.adapter, phase: 'running' };
    case 'plan':
      return { names: e.names, results: e.names.map(() => undefined), passed: null, totalMs: null };
    case 'start':
      return { current: e.index };
    case 'result': {
      const results = [...s.results];
      results[e.index] = e.result;
      return { results };
    }
    case 'done':
      return { phase: 'done', passed: e.ok, totalMs: e.ms, current: null };
    case 'unavailable':
      return { phase: 'unavailable', unavailable: e.message, current: null };
    case 'error':
      return { phase: 'error', errors: [...s.errors, `${e.name}: ${e.message}`], current: null };
  }
}

/** How many of the planned checks have finished (a number, so it is a stable selector result). */
export const doneCount = (s: Pick<CheckState, 'results'>): number => s.results.filter(Boolean).length;
export const totalCount = (s: Pick<CheckState, 'names'>): number => s.names.length;

interface Actions {
  /** Check support in the main thread, then (re)run the self-check in the worker. */
  start(seed?: number): void;
  setSeed(seed: number): void;
  dismissError(index: number): void;
}

let client: SelfCheckClient | null = null;

export const useSelfCheck = create<CheckState & Actions>()((set, get) => ({
  ...initialState,
  start(seed) {
    const s = get();
    if (s.phase === 'starting' || s.phase === 'running') return;
    const support: Support = detectWebGPU();
    if (!support.ok) {
      set({ phase: 'unavailable', unavailable: support.reason });
      return;
    }
    const useSeed = seed ?? s.seed;
    set({
      phase: 'starting',
      seed: useSeed,
      results: s.names.map(() => undefined),
      passed: null,
      current: null,
    });
    try {
      client ??= startSelfCheckWorker((e) => set((st) => applyEvent(st, e)));
      client.run(useSeed);
    } catch (e) {
      set((st) => ({
        phase: 'error',
        errors: [...st.errors, `Could not start the self-check worker: ${(e as Error).message}`],
      }));
    }
  },
  setSeed(seed) {
    if (Number.isSafeInteger(seed)) set({ seed });
  },
  dismissError(index) {
    set((st) => ({ errors: st.errors.filter((_, i) => i !== index) }));
  },
}));
