/**
 * The autograd engine, in one module: the recording switch (noGrad), `record()` — the one way an
 * op joins the graph —, the backward walk, gradient accumulation, zeroGrad, and in-place updates
 * for optimizers. See docs/autograd.md.
 *
 * - backward() runs with recording off: the ops its backward functions call build no graph, so a
 *   parameter's .grad never has parents or a backward function.
 * - A leaf's .grad is its own storage (never a view of another tensor); a second backward adds
 *   into it in place; zeroGrad() drops it (or zero-fills it in place).
 * - In-place updates (axpbyInPlace, fillInPlace, Tensor.assign) write the same storage and are
 *   never recorded: do them outside the forward/backward of a graph that still needs the old values.
 */
import { ShapeError } from '../gpu/errors';
import { binaryKernel, fillKernel, updateKernel } from './kernels';
import { Tensor } from './tensor';

let noGradDepth = 0;

/** False inside noGrad() and during backward(): ops then record no graph. */
export function gradEnabled(): boolean {
  return noGradDepth === 0;
}

/** Run fn without recording gradients (values for plots, errors, evaluation, optimizer steps). */
export function noGrad<T>(fn: () => T): T {
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

/** True when gradients must flow into t (a trainable leaf, or computed from one). */
export function needsGrad(...ts: Tensor[]): boolean {
  return ts.some((t) => t.requiresGrad || t.backwardFn !== null);
}

/**
 * Join the graph: if recording is on and any parent needs a gradient, `out` records its parents
 * and a backward function returning one gradient (or null) per parent, each of its parent's shape.
 * A backward function may return the upstream gradient itself for at most one parent.
 */
export function record(out: Tensor, parents: Tensor[], fn: (g: Tensor) => Array<Tensor | null>): Tensor {
  if (gradEnabled() && out.dtype === 'f32' && needsGrad(...parents)) {
    out.parents = parents;
    out.parentVersions = parents.map((p) => p.version);
    out.backwardFn = fn;
    out.requiresGrad = true;
  }
  return out;
}

// ------------------------------------------------------------------ in-place kernels

function sameSize(target: Tensor, src: Tensor, what: string): void {
  if (target.dtype !== 'f32' || src.dtype !== 'f32')
    throw new ShapeError(`${what} works on f32 tensors, got ${target.dtype} and ${src.dtype}`);
  if (target.gpu !== src.gpu) throw new ShapeError(`${what}: tensors live on different GPU devices`);
  if (src.size !== target.size && src.size !== 1)
    throw new ShapeError(
      `${what}: [${src.shape.join(', ')}] does not match the target [${target.shape.join(', ')}]`,
    );
}

/**
 * target ← alpha·target + beta·src, in place (src of target's size, or one element). Not
 * recorded. The optimizer primitive: SGD is axpbyInPlace(1, p, -lr, p.grad).
 */
export function axpbyInPlace(alpha: number, target: Tensor, beta: number, src: Tensor): Tensor {
  sameSize(target, src, 'axpbyInPlace');
  if (src.buffer === target.buffer) {
    fillScaled(target, alpha + beta);
    return target;
  }
  target.gpu.dispatch(
    updateKernel,
    { y: src.buffer, out: target.buffer },
    { n: target.size, ySize: src.size, alpha, beta },
    target.gpu.grid1d(Math.ceil(target.size / 256)),
  );
  target.bumpVersion();
  return target;
}

/** target ← s·target (via the same in-place path). */
function fillScaled(target: Tensor, s: number): void {
  const copy = Tensor.empty(target.gpu, target.shape, 'A scaled copy');
  target.gpu.dispatch(
    binaryKernel('axpby'),
    { x: target.buffer, y: target.buffer, out: copy.buffer },
    { n: target.size, ySize: target.size, alpha: s, beta: 0 },
    target.gpu.grid1d(Math.ceil(target.size / 256)),
  );
  target.assign(copy);
  copy.dispose();
}

/** Every element of target ← value, in place. Not recorded. */
export function fillInPlace(target: Tensor, value: number): Tensor {
  if (target.dtype !== 'f32') throw new ShapeError(`fillInPlace works on f32 tensors, got ${target.dtype}`);
  target.gpu.dispatch(
    fillKernel,
    { out: target.buffer },
    { n: target.size, ySize: 1, alpha: value, beta: 0 },
    target.gpu.grid1d(Math.ceil(target.size / 256)),
  );
  target.bumpVersion();
  return target;
}

/**
 * Forget the gradients of `params`: by default dispose them (.grad = null, the next backward
 * allocates from the pool); with {setToNone: false} zero them in place, keeping their storage.
 */
export function zeroGrad(params: Iterable<Tensor>, opts: { setToNone?: boolean } = {}): void {
  for (const p of params) {
    if (!p.grad) continue;
    if (opts.setToNone === false) fillInPlace(p.grad, 0);
    else {
      p.grad.dispose();
      p.grad = null;
    }
  }
}

// ------------------------------------------------------------------ the backward walk

/** A new tensor a + b (same size). */
function added(a: Tensor, b: Tensor): Tensor {
  const out = Tensor.empty(a.gpu, a.shape, 'An accumulated gradient');
  a.gpu.dispatch(
    binaryKernel('axpby'),
    { x: a.buffer, y: b.buffer, out: out.buffer },
    { n: a.size, ySize: b.size, alpha: 1, beta: 1 },
    a.gpu.grid1d(Math.ceil(a.size / 256)),
  );
  return out;
}

/** A copy of t with its own storage. */
function owned(t: Tensor): Tensor {
  const c = Tensor.empty(t.gpu, t.shape, 'A gradient');
  c.assign(t);
  return c;
}

/**
 * Backpropagate from `root` (a scalar unless `seed` gives the upstream gradient, root's shape),
 * with recording off. Leaves with requiresGrad receive (or accumulate into) .grad, which survives
 * any enclosing tidy() (it belongs to its leaf). Intermediate gradients are disposed as soon as
 * they have been pushed to their parents; `seed` stays the caller's.
 */
export function backward(root: Tensor, seed?: Tensor): void {
  if (!seed && root.size !== 1)
    throw new ShapeError(`backward() without a seed needs a scalar, got shape [${root.shape}]`);
  if (seed && seed.size !== root.size)
    throw new ShapeError(`backward(): seed [${seed.shape}] does not match [${root.shape}]`);
  if (root.dtype !== 'f32') throw new ShapeError(`backward() from a ${root.dtype} tensor`);
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative post-order DFS (a deep graph, e.g. 1,000 chained ops, must not overflow the stack).
  const stack: Array<[Tensor, number]> = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i < t.parents.length) {
      top[1]++;
      const p = t.parents[i];
      if (!seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  const release = (t: Tensor) => {
    if (t !== seed) t.dispose();
  };
  noGradDepth++;
  const grads = new Map<Tensor, Tensor>();
  try {
    grads.set(root, seed ?? Tensor.full(root.gpu, root.shape, 1));
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (t.backwardFn) {
        t.parents.forEach((p, j) => {
          if (p.disposed)
            throw new ShapeError(
              `backward: an input [${p.shape.join(', ')}] of an op was disposed before backward() (keep the ` +
                'forward pass and backward() in one tidy())',
            );
          if (t.parentVersions[j] !== undefined && p.version !== t.parentVersions[j])
            throw new ShapeError(
              `backward: an input [${p.shape.join(', ')}] of an op was modified in place after the forward ` +
                'pass (an optimizer step or assign() before backward()); run backward() first',
            );
        });
        const pg = t.backwardFn(g);
        let taken = false;
        t.parents.forEach((p, j) => {
          const gj = pg[j];
          if (!gj) return;
          if (!(p.requiresGrad || p.backwardFn)) {
            if (gj !== g) release(gj);
            return;
          }
          if (gj.size !== p.size)
            throw new ShapeError(
              `backward: a gradient of [${gj.shape}] for an input of [${p.shape}] (an op's backward is wrong)`,
            );
          if (gj === g) {
            if (taken) throw new Error('backward: an op returned its upstream gradient for two inputs');
            taken = true;
          }
          const prev = grads.get(p);
          if (prev) {
            grads.set(p, added(prev, gj));
            release(prev);
            if (gj !== g) release(gj);
            else taken = false; // consumed by the sum: g is released below
          } else grads.set(p, gj);
        });
        if (!taken) release(g);
      } else if (t.requiresGrad) {
        // A leaf: it owns its gradient from now on (its own storage, never a view or the seed).
        if (t.grad) {
          axpbyInPlace(1, t.grad, 1, g);
          release(g);
        } else {
          const own = g === seed || g.sharesStorage ? owned(g) : g;
          if (own !== g) release(g);
          t.grad = sameShape(own.shape, t.shape) ? own : reshaped(own, t.shape);
          t.grad.keep();
        }
      } else release(g);
    }
  } finally {
    noGradDepth--;
    for (const g of grads.values()) release(g);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** own given t's shape (own is disposed; the result has its own storage reference). */
function reshaped(own: Tensor, shape: readonly number[]): Tensor {
  const r = own.reshape(shape);
  own.dispose();
  return r;
}
