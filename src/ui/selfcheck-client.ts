/**
 * Client of the self-check worker (src/runtime/selfcheck.worker.ts): turns its messages, and the
 * worker's own failures, into SelfCheckEvents. No GPU object ever crosses into the UI.
 */
import type { SelfCheckEvent, SelfCheckRequest } from '../runtime/selfcheck';

export interface SelfCheckClient {
  run(seed?: number): void;
  dispose(): void;
}

export function startSelfCheckWorker(onEvent: (e: SelfCheckEvent) => void): SelfCheckClient {
  const worker = new Worker(new URL('../runtime/selfcheck.worker.ts', import.meta.url), {
    type: 'module',
    name: 'smx-selfcheck',
  });
  worker.addEventListener('message', (ev: MessageEvent<SelfCheckEvent>) => onEvent(ev.data));
  worker.addEventListener('error', (ev: ErrorEvent) => {
    ev.preventDefault();
    onEvent({
      type: 'error',
      name: 'WorkerError',
      message: ev.message || 'The self-check worker failed to load or crashed.',
    });
  });
  worker.addEventListener('messageerror', () =>
    onEvent({ type: 'error', name: 'WorkerError', message: 'A message from the worker could not be read.' }),
  );
  return {
    run(seed) {
      const req: SelfCheckRequest = seed === undefined ? { type: 'run' } : { type: 'run', seed };
      worker.postMessage(req);
    },
    dispose() {
      worker.terminate();
    },
  };
}
