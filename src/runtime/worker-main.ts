/**
 * The experiment worker's entry (the page starts it as a module worker). It is small on purpose:
 * it marks `worker-boot`, takes messages at once and asks for the GPU device, then imports the host
 * (worker.ts, the live path) and replays what came meanwhile. Both the messages a page posts to a
 * worker that is still starting and a worker's adapter request pass through the page's main
 * thread in Chromium; the page loads Plotly (one long task there) only once the device exists
 * (experiment-client.ts).
 */
import { type RequestedDevice, requestDevice } from '../gpu/request';
import type { ToWorker } from './protocol';

const scope = globalThis as unknown as {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};
// Each cold-start phase once, as epoch ms (the page re-bases it onto its own clock).
const marked = new Set<string>();
const mark = (phase: string) => {
  if (marked.has(phase)) return;
  marked.add(phase);
  scope.postMessage({ type: 'marks', marks: [[phase, performance.timeOrigin + performance.now()]] });
};
mark('worker-boot');
const pending: ToWorker[] = [];
scope.onmessage = (e) => void pending.push(e.data);

// The first device, requested now and waited for before the engine's chunks are evaluated (a
// failure resurfaces when the host asks for it): its `device` mark tells the page it may load
// Plotly, and a worker busy evaluating a module would post that mark only once it is done.
let early: Promise<RequestedDevice> | null = requestDevice({ onPhase: mark });
await early.catch(() => {});

const [{ createWorkerHost }, { Gpu }] = await Promise.all([import('./worker'), import('../gpu/device')]);
mark('worker-start');
const host = createWorkerHost({
  post: (m) => scope.postMessage(m),
  createGpu: () => {
    const requested = early ?? undefined;
    early = null;
    return Gpu.create({ onPhase: mark, requested });
  },
  env: { runtime: 'browser' },
  mark,
});
scope.onmessage = (e) => void host.handle(e.data);
for (const m of pending.splice(0)) void host.handle(m);
