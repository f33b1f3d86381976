/**
 * The playground's state (zustand): presets, the current config (mirrored in the URL hash), the
 * run in progress and its partial result, the live recompute, run history (IndexedDB), imports
 * and errors. Components read it and call its actions; the engine lives behind the worker.
 *
 * One slice per concern, each in its own file: boot.ts (start, presets, config + hash, history,
 * errors), run.ts (runs and the worker's messages), live.ts (live recompute), files.ts (import,
 * export, dropped files). They share `Ctx` (types.ts): set / get and the worker client.
 */
import { create } from 'zustand';
import { type ExperimentClient, startExperimentWorker } from '../experiment-client';
import { bootActions } from './boot';
import { fileActions } from './files';
import { attentionLiveSlice, liveSlice } from './live';
import { runSlice } from './run';
import { type Ctx, initialState, type Playground } from './types';

export { liveRequestOf } from './live';
export type { Config, DroppedMatrix, Playground, PlaygroundState, Preset, RunState, Spec } from './types';

let client: ExperimentClient | null = null;

export const usePlayground = create<Playground>()((set, get) => {
  const ctx: Ctx = {
    set,
    get,
    client() {
      if (client) return client;
      try {
        client = startExperimentWorker(
          run.onMessage,
          live.answer,
          (msg) => {
            get().addError(`WorkerError: ${msg}`);
            const r = get().run;
            if (r?.status === 'running') set({ run: { ...r, status: 'failed' }, running: null });
          },
          attention.answer,
        );
        client.init();
      } catch (e) {
        get().addError(`Could not start the experiment worker: ${(e as Error).message}`);
      }
      return client;
    },
    existingClient: () => client,
    requestLive: () => live.request(),
  };
  const live = liveSlice(ctx);
  const attention = attentionLiveSlice(ctx);
  const run = runSlice(ctx);
  return { ...initialState, ...bootActions(ctx), ...run.actions, ...fileActions(ctx), ...attention.actions };
});
