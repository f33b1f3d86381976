/** Typed errors of the GPU layer. Every message says what was asked and what the limit is. */

export class GpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No WebGPU at all (no navigator.gpu, no adapter, device request refused). */
export class WebGPUUnavailableError extends GpuError {}

/** The device was lost (driver reset, tab backgrounded too long, destroyed on purpose). */
export class DeviceLostError extends GpuError {
  constructor(
    message: string,
    readonly reason: string = 'unknown',
  ) {
    super(message);
  }
}

/** A request over one of the adapter's limits; raised before anything is allocated. */
export class LimitError extends GpuError {
  constructor(
    readonly limit: string,
    readonly allowed: number,
    readonly requested: number,
    what: string,
  ) {
    super(
      `${what} needs ${formatBytesOrCount(limit, requested)}, over this adapter's ${limit} of ${formatBytesOrCount(limit, allowed)}`,
    );
  }
}

/** Shapes that do not fit together, or are not valid shapes at all. */
export class ShapeError extends GpuError {}

/** A validation or out-of-memory error reported by WebGPU itself. */
export class GpuValidationError extends GpuError {}

function formatBytesOrCount(limit: string, n: number): string {
  if (!/Size$/.test(limit)) return String(n);
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB (${n} bytes)`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MiB (${n} bytes)`;
  return `${n} bytes`;
}
