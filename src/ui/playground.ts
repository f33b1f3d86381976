/**
 * The playground's state (zustand): presets, the current config (mirrored in the URL hash), the
 * run in progress and its partial result, the live recompute, run history (IndexedDB), imports
 * and errors. Components read it and call its actions; the engine lives behind the worker.
 */
import { create } from 'zustand';
import type { ExperimentResult } from '../experiments/schema';
import type { AdapterSummary } from '../gpu/device';
import type { LiveRequest, LiveResult } from '../runtime/live';
import type { FromWorker } from '../runtime/protocol';
import { detectWebGPU } from './engine-client';
import { type ExperimentClient, startExperimentWorker } from './experiment-client';
import { deleteHistory, type HistoryEntry, listHistory, saveHistory } from './history';
import {
  applyRunEvent,
  configFromHash,
  configToHash,
  emptyView,
  parseImport,
  type ResultView,
  viewOf,
} from './results';

export interface Preset {
  file: string;
  kind: string;
  name: string;
}

export type Config = Record<string, unknown> & { kind: string; seed?: number };
export type Spec = { family: string } & Record<string, unknown>;

export interface RunState {
  id: string;
  status: 'running' | 'finished' | 'cancelled' | 'failed' | 'interrupted';
  fraction: number;
  message: string;
  startedAt: number;
  now: number;
}

export interface LiveState {
  result: LiveResult | null;
  error: string | null;
  /** Sequence number of the latest request and of the shown answer. */
  requested: number;
  shown: number;
  /** Round-trip times (ms) of answered requests, newest last (at most 200). */
  latencies: number[];
}

export interface PlaygroundState {
  engine: 'starting' | 'ready' | 'unavailable';
  adapter: AdapterSummary | null;
  unavailable: string | null;
  presets: Preset[];
  presetFile: string | null;
  config: Config | null;
  /** Index of the method the sliders edit (approximation). */
  focus: number;
  /** A dropped matrix file (sent with each run as source "bytes"). */
  dropped: { name: string; bytes: Uint8Array } | null;
  run: RunState | null;
  view: ResultView | null;
  /** The last complete result (for Export JSON). */
  result: ExperimentResult | null;
  resultSource: 'run' | 'import' | 'history' | null;
  history: HistoryEntry[];
  compareId: string | null;
  live: LiveState;
  deviceLost: string | null;
  errors: string[];
}

interface Actions {
  init(): Promise<void>;
  selectPreset(file: string, autoRun?: boolean): Promise<void>;
  setConfig(config: Config): void;
  setFocus(i: number): void;
  runNow(): void;
  stop(): void;
  exportJson(): void;
  importFile(file: File): Promise<void>;
  importText(text: string, name: string): void;
  dropFile(file: File): Promise<void>;
  openHistory(id: string): void;
  removeHistory(id: string): Promise<void>;
  setCompare(id: string | null): void;
  loseDevice(): void;
  addError(msg: string): void;
  dismissError(i: number): void;
}

export type Playground = PlaygroundState & Actions;

const initial: PlaygroundState = {
  engine: 'starting',
  adapter: null,
  unavailable: null,
  presets: [],
  presetFile: null,
  config: null,
  focus: 0,
  dropped: null,
  run: null,
  view: null,
  result: null,
  resultSource: null,
  history: [],
  compareId: null,
  live: { result: null, error: null, requested: 0, shown: 0, latencies: [] },
  deviceLost: null,
  errors: [],
};

let client: ExperimentClient | null = null;
let initialised = false;
let runSeq = 0;
const liveSent = new Map<number, number>();
let interruptedRun: string | null = null;
/** Runs the user stopped (a cancel that is not theirs is a device loss). */
const stoppedRuns = new Set<string>();

function newRunId(): string {
  runSeq++;
  return `run-${Date.now().toString(36)}-${runSeq}`;
}

/** The live request for a config, or null when the live path does not apply. */
export function liveRequestOf(
  config: Config | null,
  focus: number,
  dropped: PlaygroundState['dropped'],
): LiveRequest | null {
  if (config?.kind !== 'approximation') return null;
  const matrix = config.matrix as Record<string, unknown> | undefined;
  const methods = config.methods as Spec[] | undefined;
  if (!matrix || !methods?.length) return null;
  const rows = Number(matrix.rows ?? matrix.n ?? 0);
  const cols = Number(matrix.cols ?? matrix.n ?? 0);
  if (matrix.source === 'generate' && (rows > 256 || cols > 256)) return null;
  if (matrix.source === 'bytes' && !dropped) return null;
  if (matrix.source === 'file') return null;
  return {
    matrix: matrix as LiveRequest['matrix'],
    seed: Number(config.seed ?? 0),
    methods,
    focus: Math.min(focus, methods.length - 1),
    heatmapSide: 32,
    ...(matrix.source === 'bytes' && dropped ? { bytes: dropped.bytes } : {}),
  };
}

export const usePlayground = create<Playground>()((set, get) => {
  function onMessage(m: FromWorker) {
    const s = get();
    // Test hook: a page that defines window.__smxLog gets every worker message's gist.
    (globalThis as { __smxLog?: string[] }).__smxLog?.push(
      m.type === 'event'
        ? `${m.id} ${m.event.type}${m.event.type === 'done' ? ` ${m.event.result.status} ${m.event.result.error?.name ?? ''}` : m.event.type === 'progress' ? ` ${m.event.fraction.toFixed(2)}` : ''}`
        : `${m.type}${'id' in m ? ` ${m.id}` : ''}`,
    );
    switch (m.type) {
      case 'ready':
        set({
          engine: 'ready',
          adapter: m.adapter,
          deviceLost:
            s.deviceLost && !s.deviceLost.includes('ready')
              ? `${s.deviceLost} A new device is ready.`
              : s.deviceLost,
        });
        return;
      case 'unavailable':
        set({ engine: 'unavailable', unavailable: m.message });
        return;
      case 'deviceLost': {
        const running = s.run?.status === 'running' ? s.run.id : null;
        interruptedRun = running;
        set({
          deviceLost: `The GPU device was lost (${m.message}). A new device is being created; finished results are kept.`,
        });
        client?.init(); // re-create the device now
        requestLive();
        return;
      }
      case 'event': {
        if (!s.run || m.id !== s.run.id) return;
        const e = m.event;
        if (e.type === 'progress') {
          set({ run: { ...s.run, fraction: e.fraction, message: e.message, now: performance.now() } });
          return;
        }
        const view = applyRunEvent(s.view ?? emptyView(s.config ?? { kind: 'approximation' }), e);
        if (e.type === 'done') {
          const r = e.result;
          // Interrupted: the device went away under it. Chromium rejects a pending mapAsync with an
          // AbortError when the device is destroyed, so a run the user did not stop that ends
          // cancelled was interrupted too.
          const interrupted =
            interruptedRun === m.id ||
            r.error?.name === 'DeviceLostError' ||
            (r.status === 'cancelled' && !stoppedRuns.has(m.id));
          interruptedRun = null;
          set({
            view,
            result: r,
            resultSource: 'run',
            run: {
              ...s.run,
              status: interrupted ? 'interrupted' : r.status,
              fraction: 1,
              now: performance.now(),
            },
          });
          const entry: HistoryEntry = {
            id: r.id,
            savedAt: Date.now(),
            name: String((r.config as { name?: string }).name ?? r.kind),
            kind: r.kind,
            status: interrupted ? 'interrupted' : r.status,
            interrupted,
            result: r,
          };
          void saveHistory(entry)
            .then(() => listHistory())
            .then((history) => set({ history }))
            .catch((err) => get().addError(`Could not save the run to history: ${(err as Error).message}`));
          if (r.status === 'failed' && r.error) get().addError(`${r.error.name}: ${r.error.message}`);
        } else set({ view });
        return;
      }
      case 'error': {
        if (!s.run || m.id !== s.run.id) return;
        if (s.engine === 'unavailable') {
          set({ run: null, view: null });
          return;
        }
        const where = m.error.path ? ` (${m.error.path})` : '';
        set({ run: { ...s.run, status: 'failed' } });
        get().addError(`${m.error.name}${where}: ${m.error.message}`);
        return;
      }
    }
  }

  function onLive(seq: number, res: LiveResult | null, error: string | null) {
    const sent = liveSent.get(seq);
    liveSent.delete(seq);
    const live = get().live;
    const latencies =
      sent === undefined ? live.latencies : [...live.latencies, performance.now() - sent].slice(-200);
    set({ live: { ...live, result: res ?? live.result, error, shown: seq, latencies } });
  }

  function ensureClient(): ExperimentClient | null {
    if (client) return client;
    try {
      client = startExperimentWorker(onMessage, onLive, (msg) => {
        get().addError(`WorkerError: ${msg}`);
        const run = get().run;
        if (run?.status === 'running') set({ run: { ...run, status: 'failed' } });
      });
      client.init();
    } catch (e) {
      get().addError(`Could not start the experiment worker: ${(e as Error).message}`);
    }
    return client;
  }

  function requestLive() {
    const s = get();
    if (s.engine === 'unavailable') return;
    const req = liveRequestOf(s.config, s.focus, s.dropped);
    const c = ensureClient();
    if (!req || !c) return;
    const seq = c.live(req);
    liveSent.set(seq, performance.now());
    set({ live: { ...get().live, requested: seq } });
  }

  function writeHash(config: Config) {
    const hash = configToHash(config);
    if (location.hash !== hash)
      history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  }

  return {
    ...initial,

    async init() {
      // Once per page (React StrictMode runs effects twice in development).
      if (initialised) return;
      initialised = true;
      const support = detectWebGPU();
      if (!support.ok) {
        set({ engine: 'unavailable', unavailable: support.reason });
        return;
      }
      ensureClient();
      listHistory()
        .then((history) => set({ history }))
        .catch((e) => get().addError(`Run history is unavailable: ${(e as Error).message}`));
      let presets: Preset[] = [];
      try {
        const res = await fetch('./experiments/index.json');
        presets = ((await res.json()) as { presets: Preset[] }).presets;
      } catch (e) {
        get().addError(`Could not load the preset list: ${(e as Error).message}`);
      }
      set({ presets });
      // ?autorun=0 opens the page without starting a run (tests, slow machines).
      const autorun = new URLSearchParams(location.search).get('autorun') !== '0';
      // A link pasted into this open tab changes only the hash: load that config too.
      addEventListener('hashchange', () => {
        const cfg = get().config;
        if (cfg && location.hash === configToHash(cfg)) return;
        try {
          const next = configFromHash(location.hash);
          if (!next) return;
          const imported = parseImport(JSON.stringify(next), "The link's config");
          if (imported.type !== 'config') return;
          set({ presetFile: null, focus: 0 });
          get().setConfig(imported.config);
          if (autorun) get().runNow();
        } catch (e) {
          get().addError((e as Error).message);
        }
      });
      let fromHash: unknown = null;
      try {
        fromHash = configFromHash(location.hash);
      } catch (e) {
        get().addError((e as Error).message);
      }
      if (fromHash) {
        try {
          const imported = parseImport(JSON.stringify(fromHash), "The link's config");
          if (imported.type === 'config') {
            get().setConfig(imported.config);
            set({ presetFile: null });
            if (autorun) get().runNow();
            return;
          }
        } catch (e) {
          get().addError((e as Error).message);
        }
      }
      if (presets[0]) await get().selectPreset(presets[0].file, autorun);
    },

    async selectPreset(file, autoRun = false) {
      try {
        const res = await fetch(`./experiments/${file}`);
        const config = (await res.json()) as Config;
        set({ presetFile: file, focus: 0 });
        get().setConfig(config);
        if (autoRun) get().runNow();
      } catch (e) {
        get().addError(`Could not load the preset ${file}: ${(e as Error).message}`);
      }
    },

    setConfig(config) {
      set({ config });
      writeHash(config);
      requestLive();
    },

    setFocus(i) {
      set({ focus: i });
      requestLive();
    },

    runNow() {
      const s = get();
      if (!s.config || s.run?.status === 'running') return;
      const c = ensureClient();
      if (!c) return;
      const id = newRunId();
      const now = performance.now();
      set({
        run: { id, status: 'running', fraction: 0, message: 'starting', startedAt: now, now },
        view: emptyView(s.config),
        resultSource: 'run',
      });
      const matrix = s.config.matrix as { source?: string } | undefined;
      c.run(id, s.config, matrix?.source === 'bytes' ? s.dropped?.bytes : undefined);
    },

    stop() {
      const run = get().run;
      if (run?.status === 'running') {
        stoppedRuns.add(run.id);
        client?.cancel(run.id);
      }
    },

    exportJson() {
      const r = get().result;
      if (!r) return;
      const blob = new Blob([`${JSON.stringify(r, null, 2)}\n`], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${r.id}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    },

    async importFile(file) {
      get().importText(await file.text(), file.name);
    },

    importText(text, name) {
      let imported: ReturnType<typeof parseImport>;
      try {
        imported = parseImport(text, name);
      } catch (e) {
        get().addError((e as Error).message);
        return;
      }
      if (imported.type === 'result') {
        const r = imported.result;
        set({ view: viewOf(r), result: r, resultSource: 'import', run: null, focus: 0 });
        get().setConfig(r.config as Config);
      } else {
        set({ focus: 0 });
        get().setConfig(imported.config);
      }
    },

    async dropFile(file) {
      const lower = file.name.toLowerCase();
      if (lower.endsWith('.json')) return get().importFile(file);
      if (!lower.endsWith('.npy') && !lower.endsWith('.safetensors')) {
        get().addError(`${file.name}: drop a .npy or .safetensors matrix, or a result / config .json`);
        return;
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      const format = lower.endsWith('.npy') ? 'npy' : 'safetensors';
      const cfg = get().config;
      const base: Config =
        cfg?.kind === 'approximation'
          ? cfg
          : {
              schema: 'smx/experiment@1',
              kind: 'approximation',
              seed: 0,
              methods: [{ family: 'lowrank', rank: 4 }],
            };
      set({ dropped: { name: file.name, bytes } });
      get().setConfig({ ...base, matrix: { source: 'bytes', name: file.name, format } });
    },

    openHistory(id) {
      const e = get().history.find((h) => h.id === id);
      if (!e) return;
      set({ view: viewOf(e.result), result: e.result, resultSource: 'history', run: null });
      get().setConfig(e.result.config as Config);
    },

    async removeHistory(id) {
      await deleteHistory(id);
      set({ history: await listHistory(), compareId: get().compareId === id ? null : get().compareId });
    },

    setCompare(id) {
      set({ compareId: id });
    },

    loseDevice() {
      client?.loseDevice();
    },

    addError(msg) {
      set((s) => ({ errors: [...s.errors, msg] }));
    },

    dismissError(i) {
      set((s) => ({ errors: s.errors.filter((_, j) => j !== i) }));
    },
  };
});
