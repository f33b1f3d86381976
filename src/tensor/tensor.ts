/**
 * Tensor: an f32 storage buffer on the GPU plus a shape. Memory is explicit: dispose() gives the
 * buffer back to the pool, and tidy() disposes every tensor created inside it except those it
 * returns, so long runs cannot leak. Reshapes share storage (reference-counted).
 *
 * Autograd: a tensor produced by an op whose inputs require gradients records its parents and a
 * backward function; backward() walks the graph in reverse topological order. Call backward()
 * inside the same tidy() as the forward pass and keep only what you need (parameters' .grad
 * survive: they belong to their parameter).
 */
import type { Gpu } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { gradEnabled } from './autograd';
import type { Rng } from './rng';

class Storage {
  refs = 1;
  constructor(
    readonly gpu: Gpu,
    readonly buffer: GPUBuffer,
  ) {}
  release(): void {
    if (--this.refs === 0 && !this.gpu.lost) this.gpu.pool.release(this.buffer);
  }
}

type BackwardFn = (grad: Tensor) => Array<Tensor | null>;

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

export class Tensor {
  readonly size: number;
  requiresGrad = false;
  grad: Tensor | null = null;
  /** Set by ops: the inputs this tensor was computed from, and how to push a gradient to them. */
  parents: Tensor[] = [];
  backwardFn: BackwardFn | null = null;
  private storage: Storage | null;

  private constructor(
    readonly gpu: Gpu,
    readonly shape: readonly number[],
    storage: Storage,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
    this.storage = storage;
    liveTensors++;
    scopes[scopes.length - 1]?.add(this);
  }

  /** An uninitialised tensor (its contents are whatever the pooled buffer held). */
  static empty(gpu: Gpu, shape: readonly number[], what = 'A tensor'): Tensor {
    const n = checkShape(shape);
    const buffer = gpu.createStorage(n * 4, `${what} of shape [${shape.join(', ')}]`);
    return new Tensor(gpu, [...shape], new Storage(gpu, buffer));
  }

  static fromArray(gpu: Gpu, data: ArrayLike<number>, shape: readonly number[]): Tensor {
    const n = checkShape(shape);
    if (data.length !== n)
      throw new ShapeError(`${data.length} values do not fill shape [${shape.join(', ')}] (${n} elements)`);
    const t = Tensor.empty(gpu, shape);
    gpu.write(t.buffer, data instanceof Float32Array ? data : Float32Array.from(data));
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

  /** Mark as a trainable leaf. */
  trainable(flag = true): this {
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
    const t = new Tensor(this.gpu, s, this.storage);
    if (gradEnabled() && (this.requiresGrad || this.backwardFn)) {
      t.parents = [this];
      t.backwardFn = (g) => [g.reshape(this.shape)];
      t.requiresGrad = true;
    }
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
    this.backwardFn = null;
  }

  /** Read the values back (f32). */
  async read(): Promise<Float32Array> {
    const buf = await this.gpu.read(this.buffer, this.size * 4);
    return new Float32Array(buf);
  }

  async item(): Promise<number> {
    if (this.size !== 1) throw new ShapeError(`item() needs one element, tensor has shape [${this.shape}]`);
    return (await this.read())[0];
  }

  /** Keep this tensor alive past the enclosing tidy(). */
  keep(): this {
    for (const s of scopes) s.delete(this);
    return this;
  }

  /**
   * Backpropagate from this tensor (a scalar unless `seed` gives the upstream gradient).
   * Leaf tensors with requiresGrad get (or accumulate into) .grad.
   */
  backward(seed?: Tensor): void {
    if (!seed && this.size !== 1)
      throw new ShapeError(`backward() without a seed needs a scalar, got shape [${this.shape}]`);
    const order: Tensor[] = [];
    const seen = new Set<Tensor>();
    const visit = (t: Tensor) => {
      if (seen.has(t)) return;
      seen.add(t);
      for (const p of t.parents) visit(p);
      order.push(t);
    };
    visit(this);
    const grads = new Map<Tensor, Tensor>();
    const start = seed ?? Tensor.full(this.gpu, this.shape, 1);
    grads.set(this, start);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (t.backwardFn) {
        const pg = t.backwardFn(g);
        let taken = false;
        t.parents.forEach((p, j) => {
          const gj = pg[j];
          if (!gj) return;
          if (!(p.requiresGrad || p.backwardFn)) {
            if (gj !== g) gj.dispose();
            return;
          }
          if (gj === g) taken = true;
          const prev = grads.get(p);
          grads.set(p, prev ? accumulate(prev, gj) : gj);
        });
        if (!taken && g !== seed) g.dispose();
      } else if (t.requiresGrad) {
        // A leaf: hand the gradient to it (it owns it from now on).
        const own = g === seed ? clone(g) : g;
        t.grad = t.grad ? accumulate(t.grad, own) : own;
        t.grad.keep();
      }
    }
  }

  static liveCount(): number {
    return liveTensors;
  }
}

/** prev + g disposing both inputs, and a copy: set by ops.ts (avoids an import cycle). */
let accumulate: (prev: Tensor, g: Tensor) => Tensor = () => {
  throw new Error('tensor/ops.ts is not loaded');
};
let clone: (t: Tensor) => Tensor = (t) => accumulate(t, t);
export function setGradHelpers(helpers: {
  accumulate: (prev: Tensor, g: Tensor) => Tensor;
  clone: (t: Tensor) => Tensor;
}): void {
  accumulate = helpers.accumulate;
  clone = helpers.clone;
}

function collect(result: unknown, out: Set<Tensor>): void {
  if (result instanceof Tensor) out.add(result);
  else if (Array.isArray(result)) for (const r of result) collect(r, out);
  else if (result && typeof result === 'object' && !(result instanceof Promise))
    for (const v of Object.values(result)) if (v instanceof Tensor) out.add(v);
}

/**
 * Run fn and dispose every tensor it created except those it returns (which move to the
 * enclosing scope). Synchronous on purpose: an async scope would capture tensors from other
 * tasks interleaved at its awaits.
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
  collect(result, keep);
  for (const t of scope) {
    if (keep.has(t)) scopes[scopes.length - 1]?.add(t);
    else t.dispose();
  }
  return result;
}
