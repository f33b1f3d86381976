/**
 * Runs: starting one, the worker's messages about it (progress, events, done, errors, device loss),
 * and saving what ended in history. The last good result stays on screen until the new run has
 * something to show, and stays after a run that failed before producing anything.
 */
import type { FromWorker } from '../../runtime/protocol';
import { describeConfig, errorText } from '../describe';
import { type HistoryEntry, listHistory, saveHistory } from '../history';
import { applyRunEvent, emptyView, type ResultView } from '../results';
import type { Ctx } from './types';

let runSeq = 0;
let interruptedRun: string | null = null;
/** Runs the user stopped (a cancel that is not theirs is a device loss). */
const stoppedRuns = new Set<string>();

function newRunId(): string {
  runSeq++;
  return `run-${Date.now().toString(36)}-${runSeq}`;
}

/** True once a partial view has something a panel can draw. */
export function hasContent(v: ResultView | null): boolean {
  return (
    !!v && (v.summary !== null || Object.keys(v.series).length > 0 || Object.keys(v.artifacts).length > 0)
  );
}

/** Test hook: a page that defines window.__smxLog gets every worker message's gist. */
function log(m: FromWorker) {
  (globalThis as { __smxLog?: string[] }).__smxLog?.push(
    m.type === 'event'
      ? `${m.id} ${m.event.type}${m.event.type === 'done' ? ` ${m.event.result.status} ${m.event.result.error?.name ?? ''}` : m.event.type === 'progress' ? ` ${m.event.fraction.toFixed(2)}` : ''}`
      : `${m.type}${'id' in m ? ` ${m.id}` : ''}`,
  );
}

export function runSlice(ctx: Ctx) {
  const { set, get } = ctx;

  function onMessage(m: FromWorker) {
    const s = get();
    log(m);
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
        interruptedRun = s.run?.status === 'running' ? s.run.id : null;
        set({
          deviceLost: `The GPU device was lost (${m.message}). A new device is being created; finished results are kept.`,
        });
        ctx.existingClient()?.init(); // re-create the device now
        ctx.requestLive();
        return;
      }
      case 'file': {
        if (s.runFiles?.runId !== m.id) return;
        set({ runFiles: { ...s.runFiles, files: { ...s.runFiles.files, [m.path]: m.data } } });
        return;
      }
      case 'event': {
        if (!s.run || m.id !== s.run.id) return;
        const e = m.event;
        if (e.type === 'progress') {
          set({ run: { ...s.run, fraction: e.fraction, message: e.message, now: performance.now() } });
          return;
        }
        const running = applyRunEvent(s.running ?? emptyView(s.config ?? { kind: 'approximation' }), e);
        if (e.type !== 'done') {
          set({ running });
          return;
        }
        const r = e.result;
        // Interrupted: the device went away under it. Chromium rejects a pending mapAsync with an
        // AbortError when the device is destroyed, so a run the user did not stop that ends
        // cancelled was interrupted too.
        const interrupted =
          interruptedRun === m.id ||
          r.error?.name === 'DeviceLostError' ||
          (r.status === 'cancelled' && !stoppedRuns.has(m.id));
        interruptedRun = null;
        const status = interrupted ? 'interrupted' : r.status;
        // A run that failed before producing anything leaves the last good result on screen.
        const keepOld = r.status === 'failed' && !hasContent(running);
        set({
          ...(keepOld ? {} : { view: running, result: r, resultSource: 'run' as const }),
          running: null,
          run: { ...s.run, status, fraction: 1, now: performance.now() },
          ...(s.runFiles?.runId === m.id ? { runFiles: { ...s.runFiles, resultId: r.id } } : {}),
          // Errors from earlier attempts are answered by a run that finished.
          ...(r.status === 'finished' ? { errors: [] } : {}),
        });
        const entry: HistoryEntry = {
          id: r.id,
          savedAt: Date.now(),
          name: describeConfig(r.config as Record<string, unknown>, s.dropped),
          kind: r.kind,
          status,
          interrupted,
          result: r,
        };
        void saveHistory(entry)
          .then(() => listHistory())
          .then((history) => set({ history }))
          .catch((err) => get().addError(`Could not save the run to history: ${(err as Error).message}`));
        if (r.status === 'failed' && r.error) get().addError(errorText(r.error));
        return;
      }
      case 'error': {
        // The worker refused the config before running it: nothing ran, the old result stays.
        if (!s.run || m.id !== s.run.id) return;
        if (s.engine === 'unavailable') {
          set({ run: null, running: null, view: null });
          return;
        }
        set({ run: { ...s.run, status: 'failed', now: performance.now() }, running: null });
        get().addError(errorText(m.error));
        return;
      }
    }
  }

  return {
    onMessage,
    actions: {
      runNow() {
        const s = get();
        if (!s.config || s.run?.status === 'running') return;
        const matrix = s.config.matrix as { source?: string; name?: string } | undefined;
        if (matrix?.source === 'bytes' && (!s.dropped || s.dropped.name !== matrix.name)) {
          get().addError(
            `This config's matrix is the dropped file ${String(matrix.name)}, which is not on this page (a link carries only its name): drop the file again, or pick another Matrix source.`,
          );
          return;
        }
        const c = ctx.client();
        if (!c) return;
        const id = newRunId();
        const now = performance.now();
        set({
          run: { id, status: 'running', fraction: 0, message: 'starting', startedAt: now, now },
          running: emptyView(s.config),
          runFiles: { runId: id, resultId: null, files: {} },
        });
        c.run(id, s.config, matrix?.source === 'bytes' ? s.dropped?.bytes : undefined);
      },
      stop() {
        const run = get().run;
        if (run?.status === 'running') {
          stoppedRuns.add(run.id);
          ctx.existingClient()?.cancel(run.id);
        }
      },
      loseDevice() {
        ctx.existingClient()?.loseDevice();
      },
    },
  };
}
