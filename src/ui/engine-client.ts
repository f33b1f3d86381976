/**
 * The UI's only door to the engine: a main-thread WebGPU support check, and a client for the
 * self-check worker that turns its messages (and the worker's own failures) into SelfCheckEvents.
 * No GPU object ever crosses into the UI.
 */
import type { SelfCheckEvent, SelfCheckRequest } from '../runtime/selfcheck';

export type Support = { ok: true } | { ok: false; reason: string };

/** What the main thread can tell before starting a worker: secure context and navigator.gpu. */
export function detectWebGPU(env: { isSecureContext?: boolean; navigator?: unknown } = globalThis): Support {
  if (env.isSecureContext === false)
    return {
      ok: false,
      reason:
        'This page is not in a secure context: it was served over plain http from an address other ' +
        'than localhost, and browsers only offer WebGPU to https pages and localhost.',
    };
  const nav = env.navigator as { gpu?: unknown } | undefined;
  if (!nav || !('gpu' in nav) || !nav.gpu)
    return { ok: false, reason: 'This browser does not offer WebGPU here (navigator.gpu is missing).' };
  return { ok: true };
}

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
