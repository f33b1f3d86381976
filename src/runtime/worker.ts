/**
 * The experiment Web Worker: owns the GPU device, runs configs through the shared runner and
 * streams events to the UI (protocol.ts). Live requests and runs are foreground work; the warm-up
 * (every common and family pipeline) compiles in the background one pipeline at a time, starting
 * once the first request has been answered (or WARM_UP_DELAY_MS after init if none comes) and
 * pausing whenever a request is in flight, so the first live figure never waits for it. Runs execute one at a time in arrival order; cancel aborts a
 * run through its AbortController (a queued run then ends at once as cancelled). On device loss it
 * posts deviceLost and creates a fresh device for the next run.
 *
 * createWorkerHost is the logic without the worker plumbing (tests drive it in Node on Dawn); at
 * the bottom, inside a real worker, it is wired to postMessage / onmessage with Gpu.create().
 */
import { InputError } from '../experiments/envelope';
import { Gpu } from '../gpu/device';
import { createLiveEngine } from './live';
import { createAttentionLiveEngine } from './live-attention';
import type { FromWorker, ToWorker } from './protocol';
import { type RunContext, runToResult } from './runner';
import { tuneForAdapter, warmUpKernels } from './setup';

/** The background warm-up starts this long after init when no request comes first. */
export const WARM_UP_DELAY_MS = 2000;

export interface WorkerHostOptions {
  post(msg: FromWorker): void;
  createGpu(): Promise<Gpu>;
  env: RunContext['env'];
  /** Compile the common and family kernels in the background after creating a device (default true). */
  precompile?: boolean;
  /** Cold-start phases (first live request received / answered), for the page's performance marks. */
  mark?: (phase: string) => void;
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
  const liveAttention = createAttentionLiveEngine(() => device());
  let warmUpFor: Gpu | null = null;

  /** Start the background warm-up once per device (after its first request, or after a delay). */
  function startWarmUp(g: Gpu): void {
    if (opts.precompile === false || warmUpFor === g || g.lost) return;
    warmUpFor = g;
    g.compileInBackground(warmUpKernels(g)).catch(() => {});
  }

  /** A request: foreground work on the device, then the warm-up may begin. */
  async function serve<T>(g: Gpu, fn: () => Promise<T>): Promise<T> {
    try {
      return await g.foreground(fn);
    } finally {
      startWarmUp(g);
    }
  }

  async function device(): Promise<Gpu> {
    if (gpu && !gpu.lost) return gpu;
    creating ??= (async () => {
      try {
        const g = await opts.createGpu();
        g.onLost((e) => {
          if (gpu === g) gpu = null;
          live.reset();
          liveAttention.reset();
          opts.post({ type: 'deviceLost', message: e.message });
        });
        tuneForAdapter(g);
        // Errors of the warm-up resurface, with context, when the work that needs the pipeline runs.
        if (opts.precompile !== false) setTimeout(() => startWarmUp(g), WARM_UP_DELAY_MS);
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
      await serve(g, () =>
        runToResult(
          config,
          {
            gpu: g,
            signal: controller.signal,
            env: opts.env,
            bytes,
            // what the CLI writes with --artifacts DIR: posted, so the page can offer downloads
            saveFile: (path, data) => opts.post({ type: 'file', id, path, data }),
          },
          (event) => opts.post({ type: 'event', id, event }),
        ),
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
          opts.mark?.('live-received');
          try {
            const g = await device();
            const result = await serve(g, () => live.compute(msg.request));
            opts.mark?.('live-computed');
            opts.post({ type: 'live', id: msg.id, result });
          } catch (e) {
            opts.post({ type: 'liveError', id: msg.id, message: (e as Error).message });
          }
          return;
        case 'liveAttention':
          try {
            const g = await device();
            const result = await serve(g, () => liveAttention.compute(msg.request));
            opts.post({ type: 'liveAttention', id: msg.id, result });
          } catch (e) {
            opts.post({ type: 'liveAttentionError', id: msg.id, message: (e as Error).message });
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
  // Each phase once, as epoch ms (the page re-bases it onto its own clock).
  const marked = new Set<string>();
  const mark = (phase: string) => {
    if (marked.has(phase)) return;
    marked.add(phase);
    scope.postMessage({ type: 'marks', marks: [[phase, performance.timeOrigin + performance.now()]] });
  };
  mark('worker-start');
  const host = createWorkerHost({
    post: (m) => scope.postMessage(m),
    createGpu: () => Gpu.create({ onPhase: mark }),
    env: { runtime: 'browser' },
    mark,
  });
  scope.onmessage = (e) => void host.handle(e.data);
}
