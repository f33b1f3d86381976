/**
 * The experiment Web Worker's host: owns the GPU device, runs configs through the shared runner and
 * streams events to the UI (protocol.ts). The worker's entry is worker-main.ts; this module holds
 * the logic without the worker plumbing (tests drive it in Node on Dawn).
 *
 * Cold start: only the live path is loaded up front. The runner (every experiment kind) and the
 * attention view's live engine are separate chunks, imported on first use, and the runner is
 * fetched in the background once the first live answer is out.
 *
 * Live requests and runs are foreground work (Gpu.foreground); the warm-up (every common and
 * family pipeline) compiles in the background one pipeline at a time, only once no request has been
 * in flight for WARM_UP_QUIET_MS. It starts when the page says its first figures are drawn
 * (`warmUp`), or WARM_UP_DELAY_MS after the device exists if the page never says so, so the first
 * figure never shares the CPU with it. Runs execute one at a time in arrival order; cancel aborts a
 * run through its AbortController (a queued run then ends at once as cancelled). On device loss it
 * posts deviceLost and creates a fresh device for the next run.
 */
import { InputError } from '../experiments/envelope';
import type { Gpu } from '../gpu/device';
import { createLiveEngine } from './live';
import type { AttentionLiveEngine } from './live-attention';
import type { FromWorker, ToWorker } from './protocol';
import type { RunContext } from './runner';
import { tuneForAdapter, warmUpKernels } from './setup';

/** Without the page's `warmUp`, the background warm-up starts this long after the device exists. */
export const WARM_UP_DELAY_MS = 4000;
/**
 * Each warm-up compile waits until no request has been served for this long: a dragged slider keeps
 * the compiler off the CPU. Measured by the live-latency e2e on SwiftShader, 2 cores: with the
 * warm-up compiling between moves, slider → plots p95 was 330–400 ms at 64 × 64; without it
 * 220–285 ms.
 */
export const WARM_UP_QUIET_MS = 1000;

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
  let liveAttention: Promise<AttentionLiveEngine> | null = null;
  const attentionEngine = () =>
    (liveAttention ??= import('./live-attention').then((m) => m.createAttentionLiveEngine(() => device())));
  let runner: Promise<typeof import('./runner')> | null = null;
  const loadRunner = () => (runner ??= import('./runner'));
  let warmUpFor: Gpu | null = null;
  /** The page asked for the warm-up before the device existed. */
  let warmUpAsked = false;

  /** Start the background warm-up once per device. */
  function startWarmUp(g: Gpu): void {
    if (opts.precompile === false || warmUpFor === g || g.lost) return;
    warmUpFor = g;
    g.compileInBackground(warmUpKernels(g), { quietMs: WARM_UP_QUIET_MS }).catch(() => {});
  }

  async function device(): Promise<Gpu> {
    if (gpu && !gpu.lost) return gpu;
    creating ??= (async () => {
      try {
        const g = await opts.createGpu();
        g.onLost((e) => {
          if (gpu === g) gpu = null;
          live.reset();
          void liveAttention?.then((engine) => engine.reset());
          opts.post({ type: 'deviceLost', message: e.message });
        });
        tuneForAdapter(g);
        // Errors of the warm-up resurface, with context, when the work that needs the pipeline runs.
        gpu = g;
        if (warmUpAsked) startWarmUp(g);
        else if (opts.precompile !== false) setTimeout(() => startWarmUp(g), WARM_UP_DELAY_MS);
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
      const { runToResult } = await loadRunner();
      await g.foreground(() =>
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
        case 'warmUp':
          warmUpAsked = true;
          if (gpu && !gpu.lost) startWarmUp(gpu);
          return;
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
            const result = await g.foreground(() => live.compute(msg.request));
            opts.mark?.('live-computed');
            opts.post({ type: 'live', id: msg.id, result });
            // The first Run then finds the runner loaded.
            void loadRunner().catch(() => {});
          } catch (e) {
            opts.post({ type: 'liveError', id: msg.id, message: (e as Error).message });
          }
          return;
        case 'liveAttention':
          try {
            const g = await device();
            const engine = await attentionEngine();
            const result = await g.foreground(() => engine.compute(msg.request));
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
