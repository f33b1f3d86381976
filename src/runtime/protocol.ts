/**
 * Messages between the UI and the experiment worker (src/runtime/worker.ts).
 *
 * UI → worker:  init | run{id, config, bytes?} | cancel{id} | loseDevice (test hook: destroys the device)
 *               | live{id, request} (the playground's slider recompute, src/runtime/live.ts)
 *               | liveAttention{id, request} (the attention view's budget sliders, src/runtime/live-attention.ts)
 * worker → UI:  ready{adapter} | unavailable{message} | event{id, event} | error{id, error} | deviceLost{message}
 *               | live{id, result} | liveError{id, message}
 *               | liveAttention{id, result} | liveAttentionError{id, message}
 *               | file{id, path, data} (a file the run produced — the finetune kind's PEFT exports,
 *                 the CLI's --artifacts DIR/<path> — for the UI to offer as a download)
 *               | marks{marks} (cold-start phases as epoch ms, for the page's performance marks)
 *
 * A run streams event messages (progress, metric, artifact) and ends with exactly one of: an event
 * whose event.type is 'done' (the result JSON, status finished | failed | cancelled), or an error
 * (invalid config or input: error.path names the field, e.g. `methods[1].rank`).
 */
import type { ExperimentEvent, RunError } from '../experiments/envelope';
import type { AdapterSummary } from '../gpu/device';
import type { LiveRequest, LiveResult } from './live';
import type { AttentionLiveRequest, AttentionLiveResult } from './live-protocol';

export type ToWorker =
  | { type: 'init' }
  | { type: 'run'; id: string; config: unknown; bytes?: Uint8Array }
  | { type: 'cancel'; id: string }
  | { type: 'loseDevice' }
  // The page's first figures are drawn: the background warm-up may have the CPU now.
  | { type: 'warmUp' }
  // Live path (src/runtime/live.ts): the playground's slider recompute, outside the run queue.
  | { type: 'live'; id: number; request: LiveRequest }
  | { type: 'liveAttention'; id: number; request: AttentionLiveRequest };

export type FromWorker =
  | { type: 'ready'; adapter: AdapterSummary }
  | { type: 'unavailable'; message: string }
  | { type: 'event'; id: string; event: ExperimentEvent }
  | { type: 'error'; id: string; error: RunError }
  | { type: 'deviceLost'; message: string }
  | { type: 'file'; id: string; path: string; data: Uint8Array | string }
  // Live path: the answer to live{id}, or why it failed (message only; never ends a run).
  | { type: 'live'; id: number; result: LiveResult }
  | { type: 'liveError'; id: number; message: string }
  | { type: 'liveAttention'; id: number; result: AttentionLiveResult }
  | { type: 'liveAttentionError'; id: number; message: string }
  // Cold-start phases inside the worker (worker-start, adapter, device, ...): [phase, epoch ms].
  | { type: 'marks'; marks: Array<[string, number]> };

/** True when a message ends run `id` (its done event or its error). */
export function endsRun(msg: FromWorker, id: string): boolean {
  return (
    (msg.type === 'event' && msg.id === id && msg.event.type === 'done') ||
    (msg.type === 'error' && msg.id === id)
  );
}
