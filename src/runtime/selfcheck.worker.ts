/**
 * Web Worker: create the GPU context here (WebGPU works in dedicated workers), report the adapter,
 * run the kernel self-check and stream each result as a plain message. The page never sees a
 * GPUBuffer or the Gpu object. One run per 'run' message; the context is kept between runs.
 */
/// <reference lib="webworker" />
import { Gpu } from '../gpu/device';
import { WebGPUUnavailableError } from '../gpu/errors';
import { CHECKS, runSelfCheck, type SelfCheckEvent, type SelfCheckRequest } from './selfcheck';
import { tuneForAdapter } from './setup';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (e: SelfCheckEvent) => scope.postMessage(e);

let gpu: Gpu | null = null;
let running = false;

function report(e: unknown): void {
  if (e instanceof WebGPUUnavailableError) post({ type: 'unavailable', message: e.message });
  else if (e instanceof Error) post({ type: 'error', name: e.name, message: e.message });
  else post({ type: 'error', name: 'Error', message: String(e) });
}

async function run(req: SelfCheckRequest): Promise<void> {
  if (running) return;
  running = true;
  try {
    if (!gpu || gpu.lost) {
      gpu = await Gpu.create();
      tuneForAdapter(gpu);
      gpu.onLost((err) => report(err));
    }
    post({ type: 'adapter', adapter: gpu.info });
    post({ type: 'plan', names: CHECKS.map((c) => c.name) });
    const t0 = performance.now();
    const results = await runSelfCheck(gpu, {
      seed: req.seed,
      onStart: (index, name) => post({ type: 'start', index, name }),
      onResult: (result, index) => post({ type: 'result', index, result }),
    });
    post({ type: 'done', ok: results.every((r) => r.ok), ms: performance.now() - t0 });
  } catch (e) {
    report(e);
  } finally {
    running = false;
  }
}

scope.addEventListener('message', (ev: MessageEvent<SelfCheckRequest>) => {
  if (ev.data?.type === 'run') void run(ev.data);
});
scope.addEventListener('unhandledrejection', (ev) => report(ev.reason));
