/** Live recompute (approximation ≤ 256 × 256): the request a config gives, and its answers. */
import {
  type AttentionLiveRequest,
  type AttentionLiveResult,
  LIVE_MAX_SIDE,
  type LiveRequest,
  type LiveResult,
} from '../../runtime/live-protocol';
import type { Config, Ctx, DroppedMatrix, Spec } from './types';

/** Live heatmaps show the matrix cell for cell up to this side, block means beyond it. */
export const LIVE_HEATMAP_SIDE = 64;

/** Either the live request for a config, or why the live path does not apply (null: not approximation). */
export function liveRequestOf(
  config: Config | null,
  focus: number,
  dropped: DroppedMatrix | null,
): { req: LiveRequest } | { off: string } | null {
  if (config?.kind !== 'approximation') return null;
  const matrix = config.matrix as Record<string, unknown> | undefined;
  const methods = config.methods as Spec[] | undefined;
  if (!matrix || !methods?.length) return { off: 'The config has no matrix or no methods.' };
  const bytes = matrix.source === 'bytes';
  if (bytes && (!dropped || dropped.name !== matrix.name))
    return {
      off: `The matrix is a dropped file (${String(matrix.name)}) that is not on this page: drop the file again.`,
    };
  if (matrix.source === 'file') return { off: 'Live recompute needs a generated, image or dropped matrix.' };
  const rows = bytes && dropped ? dropped.rows : Number(matrix.rows ?? matrix.size ?? matrix.n ?? 0);
  const cols = bytes && dropped ? dropped.cols : Number(matrix.cols ?? matrix.size ?? matrix.n ?? 0);
  if (rows > LIVE_MAX_SIDE || cols > LIVE_MAX_SIDE)
    return {
      off: `Live recompute stops at ${LIVE_MAX_SIDE} × ${LIVE_MAX_SIDE}; this matrix is ${rows} × ${cols}. Press Run for its figures.`,
    };
  return {
    req: {
      matrix: matrix as LiveRequest['matrix'],
      seed: Number(config.seed ?? 0),
      methods,
      focus: Math.min(focus, methods.length - 1),
      heatmapSide: LIVE_HEATMAP_SIDE,
      ...(bytes && dropped ? { bytes: dropped.bytes } : {}),
    },
  };
}

/** Requests in flight: when each was sent and the focused method's spec it asked for. */
const sent = new Map<number, { at: number; spec: Spec | null }>();

export function liveSlice(ctx: Ctx) {
  return {
    request() {
      const { get, set } = ctx;
      const s = get();
      if (s.engine === 'unavailable') return;
      const r = liveRequestOf(s.config, s.focus, s.dropped);
      if (!r) return;
      if ('off' in r) {
        // The old matrix's figures would contradict the controls: clear them and say why.
        set({ live: { ...s.live, off: r.off, result: null, error: null } });
        return;
      }
      const c = ctx.client();
      if (!c) return;
      const seq = c.live(r.req);
      sent.set(seq, { at: performance.now(), spec: r.req.methods[r.req.focus] ?? null });
      set({ live: { ...get().live, off: null, requested: seq } });
    },
    answer(seq: number, res: LiveResult | null, error: string | null) {
      const req = sent.get(seq);
      sent.delete(seq);
      const live = ctx.get().live;
      if (live.off) return; // the config moved out of the live range meanwhile
      const t = req?.at;
      const latencies =
        t === undefined ? live.latencies : [...live.latencies, performance.now() - t].slice(-200);
      const engineMs = res && t !== undefined ? [...live.engineMs, res.ms].slice(-200) : live.engineMs;
      const shownSpec = res && req ? req.spec : live.shownSpec;
      ctx.set({
        live: { ...live, result: res ?? live.result, error, shown: seq, shownSpec, latencies, engineMs },
      });
    },
  };
}

/** The attention view's live budget: requests by sequence number, answers shown in order. */
export function attentionLiveSlice(ctx: Ctx) {
  const sent = new Map<number, AttentionLiveRequest>();
  return {
    actions: {
      requestAttentionLive(req: AttentionLiveRequest) {
        if (ctx.get().engine === 'unavailable') return;
        const c = ctx.client();
        if (!c) return;
        const seq = c.liveAttention(req);
        sent.set(seq, req);
        ctx.set({ attentionLive: { ...ctx.get().attentionLive, requested: seq } });
      },
    },
    answer(seq: number, res: AttentionLiveResult | null, error: string | null) {
      const request = sent.get(seq) ?? null;
      sent.delete(seq);
      const cur = ctx.get().attentionLive;
      ctx.set({
        attentionLive: res
          ? { ...cur, request, result: res, error: null, shown: seq }
          : { ...cur, error, shown: seq },
      });
    },
  };
}
