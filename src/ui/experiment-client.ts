/**
 * The UI's door to the experiment worker (src/runtime/worker-main.ts, host in worker.ts): runs,
 * cancel, the device-loss test hook, and the live path with coalescing (at most one live request
 * in flight plus the latest pending one; older pending positions are dropped, so the latest slider
 * position wins). It also decides when the page loads Plotly (see below).
 */
import type {
  AttentionLiveRequest,
  AttentionLiveResult,
  LiveRequest,
  LiveResult,
} from '../runtime/live-protocol';
import type { FromWorker, ToWorker } from '../runtime/protocol';
import { figuresDrawn, markOnce } from './perf';
import { loadPlotly } from './plots/plotly';

/** Sends live requests one at a time; while one is out, only the newest waiting one is kept. */
export class LiveCoalescer<Req, Res> {
  private inFlight: number | null = null;
  private pending: { seq: number; req: Req } | null = null;
  private seq = 0;
  /** Requests dropped before they were sent (superseded by a later position). */
  dropped = 0;

  constructor(
    private readonly send: (seq: number, req: Req) => void,
    private readonly deliver: (seq: number, res: Res | null, error: string | null) => void,
  ) {}

  /** Queue a request; returns its sequence number. */
  submit(req: Req): number {
    const seq = ++this.seq;
    if (this.inFlight === null) {
      this.inFlight = seq;
      this.send(seq, req);
    } else {
      if (this.pending) this.dropped++;
      this.pending = { seq, req };
    }
    return seq;
  }

  /** The answer to request `seq` arrived. */
  answer(seq: number, res: Res | null, error: string | null): void {
    if (seq !== this.inFlight) return;
    this.inFlight = null;
    // A newer position is waiting: show this one only if nothing newer will follow it.
    this.deliver(seq, res, error);
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      this.inFlight = p.seq;
      this.send(p.seq, p.req);
    }
  }

  /** Forget what is in flight (after the worker was replaced or the device lost). */
  reset(): void {
    this.inFlight = null;
    this.pending = null;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }
}

export interface ExperimentClient {
  init(): void;
  run(id: string, config: unknown, bytes?: Uint8Array): void;
  cancel(id: string): void;
  loseDevice(): void;
  live(req: LiveRequest): number;
  /** The attention view's live budget (same coalescing as live, its own queue). */
  liveAttention(req: AttentionLiveRequest): number;
  dispose(): void;
}

export function startExperimentWorker(
  onMessage: (m: FromWorker) => void,
  onLive: (seq: number, res: LiveResult | null, error: string | null) => void,
  onFailure: (message: string) => void,
  onLiveAttention: (seq: number, res: AttentionLiveResult | null, error: string | null) => void = () => {},
): ExperimentClient {
  const worker = new Worker(new URL('../runtime/worker-main.ts', import.meta.url), {
    type: 'module',
    name: 'smx-experiments',
  });
  markOnce('worker-created');
  const post = (m: ToWorker) => worker.postMessage(m);
  const live = new LiveCoalescer<LiveRequest, LiveResult>(
    (id, request) => post({ type: 'live', id, request }),
    onLive,
  );
  const liveAttention = new LiveCoalescer<AttentionLiveRequest, AttentionLiveResult>(
    (id, request) => post({ type: 'liveAttention', id, request }),
    onLiveAttention,
  );
  // Plotly loads once the worker has its device (or said why not) and the first live request is
  // out: then the worker imports the engine and computes while this thread evaluates Plotly. Any
  // earlier, Plotly's evaluation (one long task here) would hold back the live request, the
  // adapter request and the messages to a starting worker, which Chromium passes on from this
  // thread. A page without a live request loads Plotly when its first chart mounts.
  let deviceKnown = false;
  let liveSent = false;
  let plotlyAsked = false;
  const maybeLoadPlotly = () => {
    if (plotlyAsked || !deviceKnown || !liveSent) return;
    plotlyAsked = true;
    setTimeout(() => void loadPlotly().catch(() => {}), 0);
  };
  worker.addEventListener('message', (ev: MessageEvent<FromWorker>) => {
    const m = ev.data;
    if (!deviceKnown && (m.type !== 'marks' || m.marks.some(([phase]) => phase === 'device'))) {
      deviceKnown = true;
      maybeLoadPlotly();
    }
    if (m.type === 'marks') for (const [phase, at] of m.marks) markOnce(phase, at);
    else if (m.type === 'live') {
      markOnce('live-answer');
      live.answer(m.id, m.result, null);
    } else if (m.type === 'liveError') live.answer(m.id, null, m.message);
    else if (m.type === 'liveAttention') liveAttention.answer(m.id, m.result, null);
    else if (m.type === 'liveAttentionError') liveAttention.answer(m.id, null, m.message);
    else {
      if (m.type === 'deviceLost') {
        live.reset();
        liveAttention.reset();
      }
      onMessage(m);
    }
  });
  worker.addEventListener('error', (ev: ErrorEvent) => {
    ev.preventDefault();
    onFailure(ev.message || 'The experiment worker failed to load or crashed.');
  });
  worker.addEventListener('messageerror', () =>
    onFailure('A message from the experiment worker could not be read.'),
  );
  // The first figures are on screen: the worker's background warm-up may take the CPU now.
  void figuresDrawn.then(() => post({ type: 'warmUp' }));
  return {
    init: () => post({ type: 'init' }),
    run: (id, config, bytes) =>
      post(bytes ? { type: 'run', id, config, bytes } : { type: 'run', id, config }),
    cancel: (id) => post({ type: 'cancel', id }),
    loseDevice: () => post({ type: 'loseDevice' }),
    live: (req) => {
      markOnce('live-sent');
      const seq = live.submit(req);
      liveSent = true;
      maybeLoadPlotly();
      return seq;
    },
    liveAttention: (req) => liveAttention.submit(req),
    dispose: () => worker.terminate(),
  };
}
