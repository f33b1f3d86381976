/**
 * LoRA and rsLoRA (ALGORITHMS.md §1; microsoft/LoRA, peft tuners/lora/layer.py): ΔW = B·A with
 * A (r × in) Kaiming-uniform U(±1/√in), B (out × r) = 0, s = α/r (rsLoRA: α/√r). Step 0 is the
 * base model bit for bit (B = 0), and the first gradient w.r.t. A is zero (it is Bᵀ·…), so the
 * first step moves only B. Trainable: r·(in + out).
 *
 * `TwoFactorAdapter` is also the body of PiSSA and OLoRA, which differ only in init (and in
 * keeping a residual base and their initial factors for the rank-2r conversion).
 */
import { matmul } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import {
  Adapter,
  type AdapterContext,
  type AdapterName,
  type AdapterSpec,
  type BaseLinear,
  f32,
  kaimingUniform,
  type LoraForm,
  read64,
  scaling,
} from './adapter';

export abstract class TwoFactorAdapter extends Adapter {
  readonly rank: number;
  readonly alpha: number;
  readonly rslora: boolean;
  readonly scale: number;
  readonly A: Tensor;
  readonly B: Tensor;

  constructor(
    gpu: Tensor['gpu'],
    base: BaseLinear,
    spec: AdapterSpec,
    init: { A: ArrayLike<number>; B: ArrayLike<number>; frozen?: ArrayLike<number> },
  ) {
    super(gpu, base, init.frozen);
    this.rank = spec.rank;
    this.alpha = spec.alpha ?? spec.rank;
    this.rslora = spec.rslora === true || spec.adapter === 'rslora';
    this.scale = scaling(this.rank, this.alpha, this.rslora);
    this.A = this.param('lora_A', Tensor.fromArray(gpu, Float32Array.from(init.A), [this.rank, base.in]));
    this.B = this.param('lora_B', Tensor.fromArray(gpu, Float32Array.from(init.B), [base.out, this.rank]));
  }

  delta(): Tensor {
    return matmul(this.B, this.A, { alpha: this.scale });
  }

  protected override update(x: Tensor): Tensor {
    return matmul(matmul(x, this.A, { transB: true }), this.B, { transB: true, alpha: this.scale });
  }

  static trainableFormula(out: number, inp: number, r: number): number {
    return r * (out + inp);
  }

  override async loraForm(): Promise<LoraForm> {
    return {
      r: this.rank,
      alpha: this.alpha,
      rslora: this.rslora,
      scale: this.scale,
      A: await read64(this.A),
      B: await read64(this.B),
    };
  }
}

export function checkRank(spec: AdapterSpec, base: BaseLinear): void {
  const k = Math.min(base.out, base.in);
  if (!Number.isInteger(spec.rank) || spec.rank < 1 || spec.rank > k)
    throw new Error(`${spec.adapter}: rank must be an integer in [1, ${k}] (min(out, in)), got ${spec.rank}`);
}

export class LoraAdapter extends TwoFactorAdapter {
  readonly method: AdapterName;
  constructor(gpu: Tensor['gpu'], base: BaseLinear, spec: AdapterSpec, ctx: AdapterContext) {
    checkRank(spec, base);
    super(gpu, base, spec, {
      A: f32(kaimingUniform(ctx.rng, spec.rank * base.in, base.in)),
      B: new Float64Array(base.out * spec.rank),
    });
    this.method = this.rslora ? 'rslora' : 'lora';
  }
}
