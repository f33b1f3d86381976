/**
 * The adapter contract (ALGORITHMS.md §1): an adapter wraps a frozen base Linear (W out × in, optional
 * bias) and is itself a Module whose parameters are only its own trainable tensors. It computes
 *   y = x·W_frozenᵀ + update(x) + b,
 * where W_frozen is W or, for residual inits (PiSSA, OLoRA, NLoRA-nystrom), W_res = W − s·(init update).
 * Every update is built from recorded tensor ops (matmul, mul, axpby, reshape, permute), so its backward
 * is autograd's (finite-difference checked in the tests). The frozen weight and bias are buffers, never
 * parameters, so an optimizer over namedParameters() trains the adapter only.
 */
import { axpbyInPlace, noGrad } from '../../tensor/autograd';
import { add, matmul } from '../../tensor/ops';
import type { Rng } from '../../tensor/rng';
import { Tensor, tidy } from '../../tensor/tensor';
import { Module } from '../module';

import { ADAPTER_NAMES, type AdapterName } from './schema';

export { ADAPTER_NAMES, type AdapterName };

export interface AdapterSpec {
  adapter: AdapterName;
  /** r (Compacter: the number n of Kronecker terms / the PHM dimension). */
  rank: number;
  /** α; scaling s = α/r (α/√r with rsLoRA). Default: rank (s = 1). */
  alpha?: number;
  /** Scale by α/√r (rsLoRA); `rslora` implies it. */
  rslora?: boolean;
  /** PiSSA: 'exact' Jacobi SVD or seeded randomized SVD with `niter` power iterations. */
  svd?: 'exact' | 'randomized';
  niter?: number;
  /** NLoRA / IntTune. */
  variant?: 'released' | 'nystrom';
}

export interface AdapterContext {
  rng: Rng;
  /** LoRA-SB: ∂L/∂W of the base weight accumulated over a few batches (out × in, row-major). */
  grad?: Float64Array;
  /** LoRA-SB: η, the first step's learning rate. */
  lr?: number;
  /**
   * Tensors shared by the adapters of one model (applyAdapters makes one map per call): Compacter's
   * A_i live here, owned by the first layer that creates them.
   */
  shared?: Map<string, Tensor>;
}

/**
 * The adapter as a plain LoRA on the ORIGINAL base weight: W + scale·B·A equals the adapted weight.
 * r and alpha are what a PEFT adapter_config.json must say for that scale (alpha/r, or alpha/√r under rsLoRA).
 */
export interface LoraForm {
  r: number;
  alpha: number;
  rslora: boolean;
  scale: number;
  /** r × in. */
  A: Float64Array;
  /** out × r. */
  B: Float64Array;
}

export function scaling(rank: number, alpha: number, rs: boolean): number {
  return rs ? alpha / Math.sqrt(rank) : alpha / rank;
}

/** Kaiming-uniform with a = √5 on a fan-in of `fanIn` (PyTorch's nn.Linear default): U(±1/√fanIn). */
export function kaimingUniform(rng: Rng, n: number, fanIn: number): Float64Array {
  const b = 1 / Math.sqrt(fanIn);
  return rng.uniforms(n, -b, b);
}

/** Round to f32 and back (what the GPU will hold). */
export function f32(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(Float32Array.from(a));
}

/** C (m × n) = A (m × k) · B (k × n), row-major f64. */
export function mm(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p];
      if (v === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] += v * b[p * n + j];
    }
  return c;
}

export interface BaseLinear {
  out: number;
  in: number;
  /** W, out × in row-major. */
  weight: ArrayLike<number>;
  bias?: ArrayLike<number> | null;
}

export abstract class Adapter extends Module {
  abstract readonly method: AdapterName;
  readonly outFeatures: number;
  readonly inFeatures: number;
  /** The original base weight (host copy, f32 values) — conversions and exports start from it. */
  readonly baseWeight: Float64Array;
  /** W_frozen as used in forward (W or W_res). */
  protected frozen: Tensor;
  readonly bias: Tensor | null;
  private isMerged = false;

  constructor(
    readonly gpu: Tensor['gpu'],
    base: BaseLinear,
    frozenWeight?: ArrayLike<number>,
  ) {
    super();
    this.outFeatures = base.out;
    this.inFeatures = base.in;
    if (base.weight.length !== base.out * base.in)
      throw new Error(
        `adapter: base weight has ${base.weight.length} values, expected ${base.out}×${base.in}`,
      );
    this.baseWeight = f32(base.weight);
    this.frozen = this.buffer(
      Tensor.fromArray(gpu, Float32Array.from(frozenWeight ?? base.weight), [base.out, base.in]),
    );
    this.bias = base.bias
      ? this.buffer(Tensor.fromArray(gpu, Float32Array.from(base.bias), [base.out]))
      : null;
  }

  get merged(): boolean {
    return this.isMerged;
  }

  /** s·ΔW (out × in) as a recorded tensor of the trainable parameters. */
  abstract delta(): Tensor;

  /** x [N, in] → the update's contribution [N, out] (default: x·(s·ΔW)ᵀ; low-rank adapters never form ΔW). */
  protected update(x: Tensor): Tensor {
    return matmul(x, this.delta(), { transB: true });
  }

  /** x [N, in] → x·W_frozenᵀ + update (the update skipped once merged). */
  protected core(x2: Tensor): Tensor {
    const y = matmul(x2, this.frozen, { transB: true });
    return this.isMerged ? y : add(y, this.update(x2));
  }

  /** x [..., in] → [..., out]. */
  forward(x: Tensor): Tensor {
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? x : x.reshape([-1, this.inFeatures]);
    let y = this.core(x2);
    if (this.bias) y = add(y, this.bias);
    return x.rank === 2 ? y : y.reshape([...lead, this.outFeatures]);
  }

  /** Trainable parameter count (what the optimizer updates). */
  trainableParams(): number {
    return this.numParams();
  }

  /** Fold s·ΔW into the frozen weight (forward then skips the update). */
  merge(): void {
    if (this.isMerged) throw new Error(`${this.method}: already merged`);
    tidy(() => noGrad(() => axpbyInPlace(1, this.frozen, 1, this.delta())));
    this.isMerged = true;
  }

  /** Undo merge(): W_frozen ← W_frozen − s·ΔW (f32 round-off aside, the weight before merging). */
  unmerge(): void {
    if (!this.isMerged) throw new Error(`${this.method}: not merged`);
    tidy(() => noGrad(() => axpbyInPlace(1, this.frozen, -1, this.delta())));
    this.isMerged = false;
  }

  /** The adapted weight W_frozen + s·ΔW (out × in), read back. */
  async effectiveWeight(): Promise<Float64Array> {
    const d = tidy(() =>
      noGrad(() => (this.isMerged ? this.frozen.reshape(this.frozen.shape) : add(this.frozen, this.delta()))),
    );
    const v = Float64Array.from(await d.read());
    d.dispose();
    return v;
  }

  /** The adapter as a plain LoRA on the original W, or null when it has no LoRA form (HiRA, Compacter, full). */
  async loraForm(): Promise<LoraForm | null> {
    return null;
  }
}

/** Read a tensor as f64. */
export async function read64(t: Tensor): Promise<Float64Array> {
  return Float64Array.from(await t.read());
}
