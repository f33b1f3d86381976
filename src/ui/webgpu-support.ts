/**
 * What the main thread can tell about WebGPU before starting any worker (secure context,
 * navigator.gpu). Used by both stores; no GPU object is created here.
 */
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
