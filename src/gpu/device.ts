/**
 * The GPU context: adapter + device with the limits and features we need, a pipeline cache,
 * a buffer pool, batched command recording, async readback, GPU timing, and device-loss /
 * validation errors turned into typed errors. Engine code talks to WebGPU only through here.
 */
import './float16-shim';
import { makeShaderDataDefinitions, makeStructuredView, type ShaderDataDefinitions } from 'webgpu-utils';
import { DeviceLostError, GpuValidationError, LimitError } from './errors';
import { BufferPool } from './pool';
import { type GpuOptions, requestDevice } from './request';
import { Variants } from './variants';

export type { GpuOptions } from './request';

/** A compute kernel: WGSL source, entry point and override constants (part of the cache key). */
export interface Kernel {
  name: string;
  code: string;
  entry?: string;
  constants?: Record<string, number | boolean>;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupsPerDimension: number;
    maxStorageBuffersPerShaderStage: number;
  };
}

export type BufferBinding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

const FLUSH_EVERY = 48; // dispatches per command buffer before an automatic submit
/** Compute passes one time() call can time (timestamp pairs in its query set); later ones run untimed. */
export const MAX_TIMED_PASSES = 1024;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y) [x, y] = [y, x % y];
  return x;
}

/** The smallest step performance.now() shows here (ms): browsers coarsen it (5–100 µs). */
function wallClockResolutionMs(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    let t1 = performance.now();
    while (t1 === t0) t1 = performance.now();
    best = Math.min(best, t1 - t0);
  }
  return best;
}

/** What one time() call measured. */
export interface GpuTiming {
  ms: number;
  method: 'timestamp-query' | 'wall-clock';
  /** Compute passes recorded during the call. */
  passes: number;
  /** Of those, the passes inside the timed span (≤ MAX_TIMED_PASSES with timestamps). */
  timedPasses: number;
  /**
   * With `time(fn, { perPass: true })` and timestamp queries: each timed pass's kernel
   * (`<WGSL file>:<entry>`) and its own begin-to-end time, in recording order.
   */
  perPass?: Array<{ kernel: string; ms: number }>;
}

/** WebGPU takes override constants as numbers only (booleans as 0 / 1). */
function numericConstants(c: Kernel['constants']): Record<string, number> | undefined {
  if (!c) return undefined;
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Number(v)]));
}

export class Gpu {
  readonly pool: BufferPool;
  readonly hasTimestamps: boolean;
  /** While set (Gpu.time without timestamps), dispatches stay in the encoder until sync(). */
  private holdSubmits = false;
  /** Number of pipelines compiled so far (tests use it to check the cache). */
  compiled = 0;
  /** Kernel variant choice for this device: its profile and any forced variant (src/gpu/variants.ts). */
  readonly variants = new Variants();
  private pipelines = new Map<string, GPUComputePipeline>();
  private pending = new Map<string, Promise<GPUComputePipeline>>();
  private backlog: Kernel[] = [];
  private backlogRun: Promise<void> | null = null;
  private busy = 0;
  private idleWaiters: Array<() => void> = [];
  /** performance.now() when the last foreground work ended; the background waits quietMs after it. */
  private lastForeground = Number.NEGATIVE_INFINITY;
  private quietMs = 0;
  private defs = new Map<string, ShaderDataDefinitions>();
  private modules = new Map<string, GPUShaderModule>();
  private encoder: GPUCommandEncoder | null = null;
  private recorded = 0;
  private lostInfo: GPUDeviceLostInfo | null = null;
  private lostListeners = new Set<(e: DeviceLostError) => void>();
  private errors: string[] = [];
  private timing: { querySet: GPUQuerySet; passes: number; total: number; kernels: string[] } | null = null;
  /** GCD of every timestamp difference seen (ns): the timer's observed quantum. */
  private tickGcd = 0n;
  private wallResolution: number | null = null;
  private recordedPasses = 0;
  private querySet: GPUQuerySet | null = null;

  private constructor(
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    readonly info: AdapterSummary,
    private options: GpuOptions,
  ) {
    this.pool = new BufferPool(device);
    this.hasTimestamps = device.features.has('timestamp-query');
    device.lost.then((info) => {
      this.lostInfo = info;
      const err = this.lostError();
      for (const l of this.lostListeners) l(err);
    });
    device.addEventListener('uncapturederror', (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      this.errors.push(e.message);
    });
  }

  /** Create adapter and device. Throws WebGPUUnavailableError with what to do when there is none. */
  static async create(options: GpuOptions = {}): Promise<Gpu> {
    const { requested, ...rest } = options;
    const { adapter, device } = await (requested ?? requestDevice(rest));
    const ai = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
    const lim = device.limits;
    const info: AdapterSummary = {
      vendor: ai?.vendor ?? '',
      architecture: ai?.architecture ?? '',
      device: ai?.device ?? '',
      description: ai?.description ?? '',
      isFallbackAdapter: Boolean(
        (ai as unknown as { isFallbackAdapter?: boolean })?.isFallbackAdapter ??
          (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter,
      ),
      features: [...adapter.features].sort(),
      limits: {
        maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
        maxBufferSize: lim.maxBufferSize,
        maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: lim.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupsPerDimension: lim.maxComputeWorkgroupsPerDimension,
        maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
      },
    };
    return new Gpu(adapter, device, info, rest);
  }

  /** A fresh context with the same options (after a device loss). Old tensors stay invalid. */
  recreate(): Promise<Gpu> {
    return Gpu.create(this.options);
  }

  get lost(): boolean {
    return this.lostInfo !== null;
  }

  onLost(listener: (e: DeviceLostError) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Destroy the device on purpose (tests use it to simulate a loss). */
  destroy(): void {
    this.querySet?.destroy();
    this.pool.trim();
    this.device.destroy();
  }

  private lostError(): DeviceLostError {
    const info = this.lostInfo;
    const reason = info?.reason ?? 'unknown';
    return new DeviceLostError(
      `The GPU device was lost (${reason}${info?.message ? `: ${info.message}` : ''}). ` +
        'Results computed so far are kept; re-create the device to continue.',
      reason,
    );
  }

  assertAlive(): void {
    if (this.lostInfo) throw this.lostError();
  }

  /** Throw the first WebGPU validation error reported since the last check. */
  checkErrors(): void {
    if (this.errors.length) {
      const msgs = this.errors.splice(0);
      throw new GpuValidationError(`WebGPU reported: ${msgs.join(' | ')}`);
    }
  }

  // ---------------------------------------------------------------- limits

  /** Throw a LimitError before allocating a storage binding of `bytes`. */
  checkStorageSize(bytes: number, what: string): void {
    const { maxStorageBufferBindingSize, maxBufferSize } = this.info.limits;
    if (bytes > maxStorageBufferBindingSize)
      throw new LimitError('maxStorageBufferBindingSize', maxStorageBufferBindingSize, bytes, what);
    if (bytes > maxBufferSize) throw new LimitError('maxBufferSize', maxBufferSize, bytes, what);
  }

  /** Split a count of workgroups into a 2-D grid within maxComputeWorkgroupsPerDimension. */
  grid1d(workgroups: number): [number, number] {
    const max = this.info.limits.maxComputeWorkgroupsPerDimension;
    if (workgroups <= max) return [Math.max(1, workgroups), 1];
    const y = Math.ceil(workgroups / max);
    if (y > max)
      throw new LimitError('maxComputeWorkgroupsPerDimension', max * max, workgroups, 'A dispatch');
    return [Math.ceil(workgroups / y), y];
  }

  // ---------------------------------------------------------------- pipelines

  private key(k: Kernel): string {
    const c = k.constants ? JSON.stringify(Object.entries(k.constants).sort()) : '';
    return `${k.name}|${k.entry ?? 'main'}|${c}`;
  }

  private definitions(k: Kernel): ShaderDataDefinitions {
    let d = this.defs.get(k.code);
    if (!d) {
      d = makeShaderDataDefinitions(k.code);
      this.defs.set(k.code, d);
    }
    return d;
  }

  private descriptor(k: Kernel): GPUComputePipelineDescriptor {
    // One module per WGSL source: its variants (entry points, override constants) share it.
    let module = this.modules.get(k.code);
    if (!module) {
      module = this.device.createShaderModule({ code: k.code, label: k.name });
      this.modules.set(k.code, module);
    }
    return {
      label: this.key(k),
      layout: 'auto',
      compute: { module, entryPoint: k.entry ?? 'main', constants: numericConstants(k.constants) },
    };
  }

  /** Compile ahead of use, asynchronously (never blocks the thread that renders). */
  async precompile(kernels: Kernel[]): Promise<void> {
    this.assertAlive();
    await Promise.all(
      kernels.map((k) => {
        const key = this.key(k);
        if (this.pipelines.has(key)) return undefined;
        let p = this.pending.get(key);
        if (!p) {
          p = this.device.createComputePipelineAsync(this.descriptor(k)).then((pl) => {
            this.countCompiled();
            this.pipelines.set(key, pl);
            this.pending.delete(key);
            return pl;
          });
          this.pending.set(key, p);
        }
        return p;
      }),
    );
  }

  /**
   * Compile `kernels` in the background: one pipeline at a time, in the order given, and only while
   * no foreground work (see foreground()) is in flight. A live request or a run therefore never
   * queues behind a warm-up of every kernel on the GPU's compiler (on SwiftShader a flood of
   * createComputePipelineAsync calls delayed a 16 × 16 live figure by 12 s); it waits for at most
   * the one pipeline being compiled when it arrived. With `quietMs`, a compile also waits until
   * that long has passed since foreground work last ended: while a slider is being dragged (a live
   * request every few hundred ms) the compiler keeps off the CPU, which the page's redraws need.
   * Resolves when the backlog is empty (or the device is lost); a failed compile is left for the
   * work that needs the kernel to report. A later call adds to the backlog and sets quietMs anew.
   */
  compileInBackground(kernels: Kernel[], { quietMs = 0 }: { quietMs?: number } = {}): Promise<void> {
    this.quietMs = quietMs;
    this.backlog.push(...kernels);
    this.backlogRun ??= this.drainBacklog().finally(() => {
      this.backlogRun = null;
    });
    return this.backlogRun;
  }

  /** Kernels still waiting for a background compile. */
  get backgroundBacklog(): number {
    return this.backlog.length;
  }

  /** Run `fn` as foreground work: background compiles pause until no foreground work is left. */
  async foreground<T>(fn: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await fn();
    } finally {
      this.lastForeground = performance.now();
      if (--this.busy === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async drainBacklog(): Promise<void> {
    while (this.backlog.length && !this.lost) {
      // A macrotask first, so that a request which arrived meanwhile starts and marks itself.
      await new Promise((r) => setTimeout(r, 0));
      if (this.busy > 0) {
        await new Promise<void>((r) => this.idleWaiters.push(r));
        continue;
      }
      const quietFor = this.lastForeground + this.quietMs - performance.now();
      if (quietFor > 0) {
        // In short steps: a later compileInBackground call may change quietMs meanwhile.
        await new Promise((r) => setTimeout(r, Math.min(quietFor, 50)));
        continue;
      }
      const k = this.backlog.shift() as Kernel;
      await this.precompile([k]).catch(() => {});
    }
  }

  private countCompiled(): void {
    if (this.compiled++ === 0) this.options.onPhase?.('first-pipeline');
  }

  pipeline(k: Kernel): GPUComputePipeline {
    const key = this.key(k);
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.device.createComputePipeline(this.descriptor(k));
      this.countCompiled();
      this.pipelines.set(key, p);
    }
    return p;
  }

  // ---------------------------------------------------------------- buffers

  createStorage(bytes: number, what = 'A tensor'): GPUBuffer {
    this.assertAlive();
    this.checkStorageSize(bytes, what);
    return this.pool.acquire(
      bytes,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      what,
    );
  }

  write(buffer: GPUBuffer, data: Float32Array | Uint32Array | Int32Array, offsetBytes = 0): void {
    this.assertAlive();
    this.device.queue.writeBuffer(buffer, offsetBytes, data.buffer, data.byteOffset, data.byteLength);
  }

  // ---------------------------------------------------------------- dispatch

  private getEncoder(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder({ label: 'smx' });
    return this.encoder;
  }

  /**
   * Record one dispatch. `buffers` binds storage variables by their WGSL names; `uniforms` fills
   * the kernel's single uniform struct (laid out by webgpu-utils from the WGSL source).
   */
  dispatch(
    k: Kernel,
    buffers: Record<string, BufferBinding>,
    uniforms: Record<string, unknown> | null,
    workgroups: [number, number?, number?],
  ): void {
    this.assertAlive();
    const max = this.info.limits.maxComputeWorkgroupsPerDimension;
    for (const w of workgroups)
      if (w !== undefined && w > max)
        throw new LimitError('maxComputeWorkgroupsPerDimension', max, w, k.name);
    if (workgroups.some((w) => w === 0)) return;
    const pipeline = this.pipeline(k);
    const defs = this.definitions(k);
    const entry = defs.entryPoints[k.entry ?? 'main'];
    const used = new Set(entry ? entry.resources.map((r) => r.name) : Object.keys(defs.storages));
    const entries: GPUBindGroupEntry[] = [];
    const uniformBuffers: GPUBuffer[] = [];
    for (const [name, def] of Object.entries(defs.storages)) {
      if (!used.has(name)) continue;
      const b = buffers[name];
      if (!b) throw new Error(`${k.name}: no buffer bound to '${name}'`);
      entries.push({ binding: def.binding, resource: 'buffer' in b ? b : { buffer: b } });
    }
    for (const [name, def] of Object.entries(defs.uniforms)) {
      if (!used.has(name)) continue;
      const view = makeStructuredView(def);
      view.set(uniforms ?? {});
      const ub = this.pool.acquire(
        view.arrayBuffer.byteLength,
        GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      );
      this.device.queue.writeBuffer(ub, 0, view.arrayBuffer);
      entries.push({ binding: def.binding, resource: { buffer: ub, size: view.arrayBuffer.byteLength } });
      uniformBuffers.push(ub);
    }
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const enc = this.getEncoder();
    let timestampWrites: GPUComputePassTimestampWrites | undefined;
    if (this.timing) this.timing.total++;
    if (this.timing && this.timing.passes < MAX_TIMED_PASSES) {
      const i = this.timing.passes++;
      this.timing.kernels.push(`${k.name}:${k.entry ?? 'main'}`);
      timestampWrites = {
        querySet: this.timing.querySet,
        beginningOfPassWriteIndex: 2 * i,
        endOfPassWriteIndex: 2 * i + 1,
      };
    }
    this.recordedPasses++;
    const pass = enc.beginComputePass(timestampWrites ? { timestampWrites } : {});
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
    pass.end();
    for (const ub of uniformBuffers) this.pool.release(ub);
    if (++this.recorded >= FLUSH_EVERY && !this.timing && !this.holdSubmits) this.flush();
  }

  /** Copy bytes between buffers in the current command stream. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.assertAlive();
    this.getEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.recorded++;
  }

  /** Submit what has been recorded. */
  flush(): void {
    if (this.encoder) {
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.recorded = 0;
    }
    this.pool.afterSubmit();
  }

  /** Wait until the GPU has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await Promise.race([this.device.queue.onSubmittedWorkDone(), this.lostPromise()]);
    this.assertAlive();
    this.checkErrors();
  }

  private lostPromise(): Promise<never> {
    return this.device.lost.then(() => {
      throw this.lostError();
    });
  }

  /** Read `bytes` bytes of a storage buffer back to the CPU. */
  async read(buffer: GPUBuffer, bytes: number, offset = 0): Promise<ArrayBuffer> {
    this.assertAlive();
    const size = Math.ceil(bytes / 4) * 4;
    const staging = this.device.createBuffer({
      size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.getEncoder().copyBufferToBuffer(buffer, offset, staging, 0, size);
    this.flush();
    try {
      try {
        await Promise.race([staging.mapAsync(GPUMapMode.READ), this.lostPromise()]);
      } catch (e) {
        throw await this.asLoss(e);
      }
      this.checkErrors();
      return staging.getMappedRange().slice(0, bytes);
    } finally {
      if (!this.lost) staging.destroy();
    }
  }

  /**
   * A failed map can be the first sign of a device loss (Chromium rejects pending maps with an
   * AbortError before device.lost resolves): give the loss a moment to arrive and report that.
   */
  private async asLoss(e: unknown): Promise<unknown> {
    if (e instanceof DeviceLostError) return e;
    const lost = await Promise.race([
      this.device.lost.then(() => true),
      new Promise<boolean>((ok) => setTimeout(() => ok(false), 250)),
    ]);
    return lost ? this.lostError() : e;
  }

  // ---------------------------------------------------------------- timing

  /**
   * The timer's resolution in ms: with timestamp queries the observed quantum (GCD of every
   * timestamp difference seen so far: 0.065536 when Dawn quantises, ~1e-6 when it does not; null
   * before any timing); without, the step of performance.now().
   */
  timerResolutionMs(): number | null {
    if (!this.hasTimestamps) {
      this.wallResolution ??= wallClockResolutionMs();
      return this.wallResolution;
    }
    return this.tickGcd > 0n ? Number(this.tickGcd) / 1e6 : null;
  }

  /**
   * Time the GPU work that `fn` records. With timestamp queries: from the start of the first
   * compute pass to the end of the last timed one (at most MAX_TIMED_PASSES; `timedPasses` says how
   * many were inside the span). Without: wall clock from the submit of everything `fn` recorded to
   * its completion (all passes timed; encoding them is not in the span).
   */
  async time(fn: () => void, opts: { perPass?: boolean } = {}): Promise<GpuTiming> {
    // Pipelines still compiling (Gpu.precompile in the background, e.g. the worker's warm-up) share
    // the CPU with SwiftShader's execution and inflate GPU times many-fold: let them finish first.
    if (this.pending.size) await Promise.allSettled([...this.pending.values()]);
    await this.sync();
    if (!this.hasTimestamps) {
      // Record everything first (no automatic submits meanwhile), then start the clock at the
      // submit: the sample is the device's work, as with timestamps, not the JS that encodes it,
      // which would weigh on a multi-pass structured op more than on one dense GEMM.
      const before = this.recordedPasses;
      this.holdSubmits = true;
      try {
        fn();
      } finally {
        this.holdSubmits = false;
      }
      const t0 = performance.now();
      await this.sync();
      const passes = this.recordedPasses - before;
      return { ms: performance.now() - t0, method: 'wall-clock', passes, timedPasses: passes };
    }
    if (!this.querySet)
      this.querySet = this.device.createQuerySet({ type: 'timestamp', count: 2 * MAX_TIMED_PASSES });
    this.timing = { querySet: this.querySet, passes: 0, total: 0, kernels: [] };
    try {
      fn();
    } catch (e) {
      this.timing = null;
      this.flush();
      throw e;
    }
    const { passes, total, kernels } = this.timing;
    this.timing = null;
    if (passes === 0) {
      await this.sync();
      return { ms: 0, method: 'timestamp-query', passes: 0, timedPasses: 0 };
    }
    const n = 2 * passes;
    const resolve = this.device.createBuffer({
      size: n * 8,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.getEncoder().resolveQuerySet(this.querySet, 0, n, resolve, 0);
    const buf = await this.read(resolve, n * 8);
    resolve.destroy();
    const ts = new BigInt64Array(buf);
    let lo = ts[0];
    let hi = ts[1];
    for (let i = 0; i < n; i += 2) {
      if (ts[i] < lo) lo = ts[i];
      if (ts[i + 1] > hi) hi = ts[i + 1];
    }
    for (let i = 1; i < n; i++) if (ts[i] !== ts[0]) this.tickGcd = gcd(this.tickGcd, ts[i] - ts[0]);
    const perPass = opts.perPass
      ? kernels.map((kernel, i) => ({ kernel, ms: Number(ts[2 * i + 1] - ts[2 * i]) / 1e6 }))
      : undefined;
    return {
      ms: Number(hi - lo) / 1e6,
      method: 'timestamp-query',
      passes: total,
      timedPasses: passes,
      ...(perPass ? { perPass } : {}),
    };
  }
}
