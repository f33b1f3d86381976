/**
 * The experiment Web Worker: owns the GPU device, runs configs through the shared runner and
 * streams events to the UI (protocol.ts). Kernels common to every experiment are compiled ahead,
 * asynchronously, right after init. Runs execute one at a time in arrival order; cancel aborts a
 * run through its AbortController (a queued run then ends at once as cancelled). On device loss it
 * posts deviceLost and creates a fresh device for the next run.
 *
 * createWorkerHost is the logic without the worker plumbing (tests drive it in Node on Dawn); at
 * the bottom, inside a real worker, it is wired to postMessage / onmessage with Gpu.create().
 */
import { InputError } from '../experiments/envelope';
import { Gpu } from '../gpu/device';
import { createLiveEngine } from './live';
import type { FromWorker, ToWorker } from './protocol';
import { type RunContext, runToResult } from './runner';
import { tuneForAdapter, warmUp } from './setup';

export interface WorkerHostOptions {
  post(msg: FromWorker): void;
  createGpu(): Promise<Gpu>;
  env: RunContext['env'];
  /** Compile the common and family kernels after creating a device (default true). */
  precompile?: boolean;
}

export interface WorkerHost {
  handle(msg: ToWorker): Promise<void>;
  /** Resolves when every queued run has ended. */
  idle(): Promise<void>;
}

export function createWorkerHost(opts: WorkerHostOptions): WorkerHost {
  let gpu: Gpu | null = null;
  let creating: Promise<Gpu> | null = null;
  let queue: Promise<void> = Promise.resolve();
  const controllers = new Map<string, AbortController>();
  const live = createLiveEngine(() => device());

  async function device(): Promise<Gpu> {
    if (gpu && !gpu.lost) return gpu;
    creating ??= (async () => {
      try {
        const g = await opts.createGpu();
        g.onLost((e) => {
          if (gpu === g) gpu = null;
          live.reset();
          opts.post({ type: 'deviceLost', message: e.message });
        });
        tuneForAdapter(g);
        // Errors here resurface, with context, when the run that needs the pipeline dispatches it.
        if (opts.precompile !== false) warmUp(g).catch(() => {});
        gpu = g;
        return g;
      } finally {
        creating = null;
      }
    })();
    return creating;
  }

  async function runOne(
    id: string,
    config: unknown,
    bytes: Uint8Array | undefined,
    controller: AbortController,
  ) {
    try {
      let g: Gpu;
      try {
        g = await device();
      } catch (e) {
        opts.post({ type: 'unavailable', message: (e as Error).message });
        opts.post({ type: 'error', id, error: { name: (e as Error).name, message: (e as Error).message } });
        return;
      }
      await runToResult(config, { gpu: g, signal: controller.signal, env: opts.env, bytes }, (event) =>
        opts.post({ type: 'event', id, event }),
      );
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      opts.post({
        type: 'error',
        id,
        error:
          e instanceof InputError
            ? { name: err.name, message: err.message, path: e.path }
            : { name: err.name, message: err.message },
      });
    } finally {
      controllers.delete(id);
    }
  }

  return {
    async handle(msg) {
      switch (msg.type) {
        case 'init':
          try {
            const g = await device();
            opts.post({ type: 'ready', adapter: g.info });
          } catch (e) {
            opts.post({ type: 'unavailable', message: (e as Error).message });
          }
          return;
        case 'run': {
          const controller = new AbortController();
          controllers.get(msg.id)?.abort();
          controllers.set(msg.id, controller);
          queue = queue.then(() => runOne(msg.id, msg.config, msg.bytes, controller));
          return;
        }
        case 'cancel':
          controllers.get(msg.id)?.abort();
          return;
        case 'loseDevice': {
          // A device still being created is destroyed once it exists.
          const g = gpu ?? (creating ? await creating.catch(() => null) : null);
          g?.destroy();
          return;
        }
        case 'live':
          try {
            const result = await live.compute(msg.request);
            opts.post({ type: 'live', id: msg.id, result });
          } catch (e) {
            opts.post({ type: 'liveError', id: msg.id, message: (e as Error).message });
          }
          return;
      }
    },
    idle: () => queue,
  };
}

// Inside a dedicated worker: wire the host to the message port.
const scope = globalThis as unknown as {
  WorkerGlobalScope?: unknown;
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};
if (typeof scope.WorkerGlobalScope !== 'undefined') {
  const host = createWorkerHost({
    post: (m) => scope.postMessage(m),
    createGpu: () => Gpu.create(),
    env: { runtime: 'browser' },
  });
  scope.onmessage = (e) => void host.handle(e.data);
}
