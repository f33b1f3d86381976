/** The playground store's state and actions (shared by its slices). */
import type { ExperimentResult } from '../../experiments/schema';
import type { AdapterSummary } from '../../gpu/device';
import type { AttentionLiveRequest, AttentionLiveResult, LiveResult } from '../../runtime/live-protocol';
import type { HistoryEntry } from '../history';
import type { ResultView } from '../results';

export interface Preset {
  file: string;
  kind: string;
  name: string;
}

export type Config = Record<string, unknown> & { kind: string; seed?: number };
export type Spec = { family: string } & Record<string, unknown>;

/** A matrix file dropped on the page (sent with each run as source "bytes"). */
export interface DroppedMatrix {
  name: string;
  bytes: Uint8Array;
  rows: number;
  cols: number;
}

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
  /** Why live recompute does not apply to the current config (too large, no file …), or null. */
  off: string | null;
  /** Sequence number of the latest request and of the shown answer. */
  requested: number;
  shown: number;
  /** The focused method's spec as sent with the shown answer (its figures are drawn from it, not the controls). */
  shownSpec: Spec | null;
  /** Round-trip times (ms) of answered requests, newest last (at most 200). */
  latencies: number[];
  /** Engine milliseconds of the same answers (the rest of a round trip is messaging + React). */
  engineMs: number[];
}

/** The attention view's live budget figures (src/runtime/live-attention.ts via the worker). */
export interface AttentionLiveState {
  /** The request the shown result answers (its input spec and pattern). */
  request: AttentionLiveRequest | null;
  result: AttentionLiveResult | null;
  error: string | null;
  requested: number;
  shown: number;
}

/** Files the run in progress or the last run produced (the worker's `file` messages: PEFT exports). */
export interface RunFiles {
  runId: string;
  /** The result id once the run is done (downloads show beside that result only). */
  resultId: string | null;
  /** By path as the CLI's --artifacts writes it: <label>/<file>. */
  files: Record<string, Uint8Array | string>;
}

export interface PlaygroundState {
  engine: 'starting' | 'ready' | 'unavailable';
  adapter: AdapterSummary | null;
  unavailable: string | null;
  presets: Preset[];
  presetFile: string | null;
  /** The preset's config as loaded: its name describes only that config. */
  presetConfig: Config | null;
  config: Config | null;
  /** Index of the method the sliders edit (approximation). */
  focus: number;
  dropped: DroppedMatrix | null;
  run: RunState | null;
  /** The last complete result on screen (a finished run, an import or a history entry). */
  view: ResultView | null;
  /** What the run in progress has sent so far (replaces `view` once it has something to show). */
  running: ResultView | null;
  /** The last complete result (for Export JSON). */
  result: ExperimentResult | null;
  resultSource: 'run' | 'import' | 'history' | null;
  history: HistoryEntry[];
  runFiles: RunFiles | null;
  compareId: string | null;
  live: LiveState;
  attentionLive: AttentionLiveState;
  deviceLost: string | null;
  errors: string[];
}

export interface Actions {
  /**
   * Start the experiment worker (it creates its device at once); false when this browser has no
   * WebGPU. main.tsx calls it before React mounts, so the worker's start overlaps the first render.
   */
  startEngine(): boolean;
  init(): Promise<void>;
  selectPreset(file: string, autoRun?: boolean): Promise<void>;
  setConfig(config: Config): void;
  setFocus(i: number): void;
  /** Recompute one sparse pattern's recall, density and error live (the attention view's sliders). */
  requestAttentionLive(req: AttentionLiveRequest): void;
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

export const initialState: PlaygroundState = {
  engine: 'starting',
  adapter: null,
  unavailable: null,
  presets: [],
  presetFile: null,
  presetConfig: null,
  config: null,
  focus: 0,
  dropped: null,
  run: null,
  view: null,
  running: null,
  result: null,
  resultSource: null,
  history: [],
  runFiles: null,
  compareId: null,
  live: {
    result: null,
    error: null,
    off: null,
    requested: 0,
    shown: 0,
    shownSpec: null,
    latencies: [],
    engineMs: [],
  },
  attentionLive: { request: null, result: null, error: null, requested: 0, shown: 0 },
  deviceLost: null,
  errors: [],
};

type Set = (partial: Partial<Playground> | ((s: Playground) => Partial<Playground>)) => void;

/** What every slice gets: the store's set / get and the few helpers slices share. */
export interface Ctx {
  set: Set;
  get: () => Playground;
  /** The experiment worker's client, started on first use (null if it cannot start). */
  client(): import('../experiment-client').ExperimentClient | null;
  /** The existing client, without starting one. */
  existingClient(): import('../experiment-client').ExperimentClient | null;
  requestLive(): void;
}
