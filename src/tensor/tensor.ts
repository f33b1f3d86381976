/**
 * Tensor: a storage buffer on the GPU (f32, or u32 / i32 for token ids and indices) plus a shape.
 * Memory is explicit: dispose() gives the buffer back to the pool, and tidy() disposes every tensor
 * created inside it except those it returns (at any depth in returned arrays and objects), so long
 * runs cannot leak. Reshapes share storage (reference-counted).
 *
 * Autograd lives in autograd.ts (the tape, the backward walk, gradient accumulation); a tensor only
 * carries its links: `parents` and `backwardFn`, set by `record()`. See docs/autograd.md.
 */
import { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { gradEnabled, backward as runBackward } from './autograd';
import type { Rng } from './rng';

/** Element type: f32 for values, u32 / i32 for token ids and indices (no gradients). */
export type DType = 'f32' | 'u32' | 'i32';

class Storage {
  refs = 1;
  /** Bumped by every in-place write (assign, write, axpbyInPlace, fillInPlace). */
  version = 0;
  constructor(
    readonly gpu: Gpu,
    readonly buffer: GPUBuffer,
  ) {}
  release(): void {
    if (--this.refs === 0 && !this.gpu.lost) this.gpu.pool.release(this.buffer);
  }
}

export type BackwardFn = (grad: Tensor) => Array<Tensor | null>;

const scopes: Array<Set<Tensor>> = [];
let liveTensors = 0;

export function checkShape(shape: readonly number[], what = 'shape'): number {
  if (!Array.isArray(shape) || shape.length === 0)
    throw new ShapeError(`${what} must be a non-empty list of sizes, got ${JSON.stringify(shape)}`);
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1)
      throw new ShapeError(
        `${what} ${JSON.stringify(shape)} has a size that is not a positive integer: ${d}`,
      );
    n *= d;
  }
  return n;
}

type IntArray = Uint32Array | Int32Array;

export class Tensor {
  readonly size: number;
  requiresGrad = false;
  grad: Tensor | null = null;
  /** Set by record(): the inputs this tensor was computed from, and how to push a gradient to them. */
  parents: Tensor[] = [];
  backwardFn: BackwardFn | null = null;
  /** The parents' versions when this node was recorded (see version). */
  parentVersions: number[] = [];
  private storage: Storage | null;
  private owned: Tensor[] | null = null;

  private constructor(
    readonly gpu: Gpu,
    readonly shape: readonly number[],
    storage: Storage,
    readonly dtype: DType,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
    this.storage = storage;
    liveTensors++;
    scopes[scopes.length - 1]?.add(this);
  }

  /** An uninitialised tensor (its contents are whatever the pooled buffer held). */
  static empty(gpu: Gpu, shape: readonly number[], what = 'A tensor', dtype: DType = 'f32'): Tensor {
    const n = checkShape(shape);
    const buffer = gpu.createStorage(n * 4, `${what} of shape [${shape.join(', ')}]`);
    return new Tensor(gpu, [...shape], new Storage(gpu, buffer), dtype);
  }

  /**
   * Upload values. The dtype is f32 unless given, or unless `data` is a Uint32Array (u32) or an
   * Int32Array (i32). Integer tensors must hold integers in range (checked).
   */
  static fromArray(gpu: Gpu, data: ArrayLike<number>, shape: readonly number[], dtype?: DType): Tensor {
    const n = checkShape(shape);
    if (data.length !== n)
      throw new ShapeError(`${data.length} values do not fill shape [${shape.join(', ')}] (${n} elements)`);
    const dt: DType =
      dtype ?? (data instanceof Uint32Array ? 'u32' : data instanceof Int32Array ? 'i32' : 'f32');
    let typed: Float32Array | IntArray;
    if (dt === 'f32') typed = data instanceof Float32Array ? data : Float32Array.from(data);
    else {
      const ok = dt === 'u32' ? data instanceof Uint32Array : data instanceof Int32Array;
      if (!ok) {
        const lo = dt === 'u32' ? 0 : -(2 ** 31);
        const hi = dt === 'u32' ? 2 ** 32 - 1 : 2 ** 31 - 1;
        for (let i = 0; i < n; i++) {
          const v = data[i];
          if (!Number.isInteger(v) || v < lo || v > hi)
            throw new ShapeError(`a ${dt} tensor needs integers in [${lo}, ${hi}]; element ${i} is ${v}`);
        }
      }
      typed = ok ? (data as IntArray) : dt === 'u32' ? Uint32Array.from(data) : Int32Array.from(data);
    }
    const t = Tensor.empty(gpu, shape, 'A tensor', dt);
    gpu.write(t.buffer, typed);
    return t;
  }

  static zeros(gpu: Gpu, shape: readonly number[]): Tensor {
    return Tensor.full(gpu, shape, 0);
  }

  static full(gpu: Gpu, shape: readonly number[], value: number): Tensor {
    const n = checkShape(shape);
    return Tensor.fromArray(gpu, new Float32Array(n).fill(value), shape);
  }

  static randn(gpu: Gpu, shape: readonly number[], rng: Rng, std = 1): Tensor {
    return Tensor.fromArray(gpu, rng.normals(checkShape(shape), std), shape);
  }

  static rand(gpu: Gpu, shape: readonly number[], rng: Rng, lo = 0, hi = 1): Tensor {
    return Tensor.fromArray(gpu, rng.uniforms(checkShape(shape), lo, hi), shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  get disposed(): boolean {
    return this.storage === null;
  }

  get buffer(): GPUBuffer {
    if (!this.storage) throw new Error(`Tensor [${this.shape.join(', ')}] was used after dispose()`);
    this.gpu.assertAlive();
    return this.storage.buffer;
  }

  /** True when another tensor (a reshape) shares this tensor's storage. */
  /**
   * How many in-place writes this tensor's storage has had (shared by its reshapes). record()
   * notes the parents' versions; backward() refuses a node whose inputs changed since.
   */
  get version(): number {
    return this.storage?.version ?? -1;
  }

  /** Note an in-place write to this tensor's storage (ops that write in place call it). */
  bumpVersion(): void {
    if (this.storage) this.storage.version++;
  }

  get sharesStorage(): boolean {
    return (this.storage?.refs ?? 0) > 1;
  }

  /** Mark as a trainable leaf. */
  trainable(flag = true): this {
    if (flag && this.dtype !== 'f32')
      throw new ShapeError(`a ${this.dtype} tensor cannot require gradients (only f32 tensors train)`);
    this.requiresGrad = flag;
    return this;
  }

  /** Same storage, new shape (same number of elements). -1 infers one dimension. */
  reshape(shape: readonly number[]): Tensor {
    const s = [...shape];
    const unknown = s.indexOf(-1);
    if (unknown >= 0) {
      const rest = s.reduce((a, b, i) => (i === unknown ? a : a * b), 1);
      s[unknown] = this.size / rest;
    }
    const n = checkShape(s, 'reshape target');
    if (n !== this.size)
      throw new ShapeError(
        `cannot reshape [${this.shape.join(', ')}] (${this.size}) to [${s.join(', ')}] (${n})`,
      );
    if (!this.storage) throw new Error('reshape of a disposed tensor');
    this.storage.refs++;
    const t = new Tensor(this.gpu, s, this.storage, this.dtype);
    if (gradEnabled() && (this.requiresGrad || this.backwardFn)) {
      t.parents = [this];
      t.parentVersions = [this.version];
      t.backwardFn = (g) => [g.reshape(this.shape)];
      t.requiresGrad = true;
    }
    return t;
  }

  /**
   * Copy src's values into this tensor's storage (same size and dtype), in place: the way an
   * optimizer or a loader replaces a parameter's values without allocating. Not recorded by
   * autograd; views (reshapes) of this tensor see the new values.
   */
  assign(src: Tensor): this {
    if (src.size !== this.size || src.dtype !== this.dtype)
      throw new ShapeError(
        `assign: source [${src.shape.join(', ')}] ${src.dtype} does not match target ` +
          `[${this.shape.join(', ')}] ${this.dtype}`,
      );
    if (src.gpu !== this.gpu) throw new ShapeError('assign: tensors live on different GPU devices');
    if (src.buffer !== this.buffer) this.gpu.copy(src.buffer, 0, this.buffer, 0, this.size * 4);
    this.bumpVersion();
    return this;
  }

  /** Overwrite this tensor's values from the CPU, in place (same number of elements). */
  write(data: ArrayLike<number>): this {
    if (data.length !== this.size)
      throw new ShapeError(`write: ${data.length} values for a tensor of ${this.size} elements`);
    const typed =
      this.dtype === 'f32'
        ? data instanceof Float32Array
          ? data
          : Float32Array.from(data)
        : this.dtype === 'u32'
          ? Uint32Array.from(data)
          : Int32Array.from(data);
    this.gpu.write(this.buffer, typed);
    this.bumpVersion();
    return this;
  }

  /**
   * Tie t's lifetime to this tensor: t leaves every tidy() scope and is disposed with this one.
   * Ops use it for what their backward saves (row statistics, masks) besides inputs and output.
   */
  own(t: Tensor): Tensor {
    t.keep();
    (this.owned ??= []).push(t);
    return t;
  }

  dispose(): void {
    if (!this.storage) return;
    this.storage.release();
    this.storage = null;
    liveTensors--;
    this.grad?.dispose();
    this.grad = null;
    this.parents = [];
    this.parentVersions = [];
    this.backwardFn = null;
    if (this.owned) for (const t of this.owned) t.dispose();
    this.owned = null;
  }

  /** Read the values back (f32 tensors; integer tensors: readInts()). */
  async read(): Promise<Float32Array> {
    if (this.dtype !== 'f32')
      throw new ShapeError(`read() returns f32 values; this tensor is ${this.dtype}: use readInts()`);
    const buf = await this.gpu.read(this.buffer, this.size * 4);
    return new Float32Array(buf);
  }

  /** Read an integer tensor back (Uint32Array for u32, Int32Array for i32). */
  async readInts(): Promise<Uint32Array | Int32Array> {
    if (this.dtype === 'f32') throw new ShapeError('readInts() needs a u32 or i32 tensor; this one is f32');
    const buf = await this.gpu.read(this.buffer, this.size * 4);
    return this.dtype === 'u32' ? new Uint32Array(buf) : new Int32Array(buf);
  }

  async item(): Promise<number> {
    if (this.size !== 1) throw new ShapeError(`item() needs one element, tensor has shape [${this.shape}]`);
    return (this.dtype === 'f32' ? await this.read() : await this.readInts())[0];
  }

  /** Keep this tensor alive past the enclosing tidy(). */
  keep(): this {
    for (const s of scopes) s.delete(this);
    return this;
  }

  /**
   * Backpropagate from this tensor (a scalar unless `seed` gives the upstream gradient); see
   * autograd.backward. Leaf tensors with requiresGrad get (or accumulate into) .grad.
   */
  backward(seed?: Tensor): void {
    runBackward(this, seed);
  }

  static liveCount(): number {
    return liveTensors;
  }
}

/** Every tensor reachable from a tidy() result: arrays, Maps, Sets, plain and class objects. */
function collect(value: unknown, out: Set<Tensor>, seen: Set<object>, depth: number): void {
  if (value === null || typeof value !== 'object' || depth > 32) return;
  if (value instanceof Tensor) {
    out.add(value);
    return;
  }
  if (seen.has(value)) return;
  seen.add(value);
  if (value instanceof Promise || value instanceof Gpu || ArrayBuffer.isView(value)) return;
  if (value instanceof ArrayBuffer) return;
  if (Array.isArray(value) || value instanceof Set) {
    for (const v of value) collect(v, out, seen, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, out, seen, depth + 1);
  } else {
    for (const v of Object.values(value)) collect(v, out, seen, depth + 1);
  }
}

/**
 * Run fn and dispose every tensor it created except those it returns — directly or nested in
 * returned arrays, Maps, Sets and objects (e.g. a structured matrix's parameter tensors) — which
 * move to the enclosing scope. Synchronous on purpose: an async scope would capture tensors from
 * other tasks interleaved at its awaits.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  const keep = new Set<Tensor>();
  collect(result, keep, new Set(), 0);
  for (const t of scope) {
    if (keep.has(t)) scopes[scopes.length - 1]?.add(t);
    else t.dispose();
  }
  return result;
}
