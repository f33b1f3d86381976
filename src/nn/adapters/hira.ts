/**
 * Hadamard adapter, HiRA form (peft tuners/hira; ALGORITHMS.md §1 — HUT's own formula could not be
 * confirmed, so this is labelled "Hadamard (HiRA form)"): W' = W + s·W ⊙ (B·A), A (r × in)
 * Kaiming-uniform, B (out × r) = 0, s = α/r. ΔW₀ = 0 (step 0 is the base bit for bit); the update's
 * rank is not capped at r. Trainable: r·(in + out). No LoRA form: exports merge into W.
 */
import { matmul, mul } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import type { AdapterContext, AdapterSpec, BaseLinear } from './adapter';
import { Adapter, f32, kaimingUniform, scaling } from './adapter';
import { checkRank } from './lora';

export class HiraAdapter extends Adapter {
  readonly method = 'hira' as const;
  readonly rank: number;
  readonly scale: number;
  readonly A: Tensor;
  readonly B: Tensor;
  /** The original W (the Hadamard factor; stays fixed when the adapter is merged). */
  private readonly w0: Tensor;

  constructor(gpu: Tensor['gpu'], base: BaseLinear, spec: AdapterSpec, ctx: AdapterContext) {
    checkRank(spec, base);
    super(gpu, base);
    const r = spec.rank;
    this.rank = r;
    this.scale = scaling(r, spec.alpha ?? r, spec.rslora === true);
    this.w0 = this.buffer(Tensor.fromArray(gpu, Float32Array.from(base.weight), [base.out, base.in]));
    this.A = this.param(
      'hira_A',
      Tensor.fromArray(gpu, Float32Array.from(f32(kaimingUniform(ctx.rng, r * base.in, base.in))), [
        r,
        base.in,
      ]),
    );
    this.B = this.param('hira_B', Tensor.zeros(gpu, [base.out, r]));
  }

  delta(): Tensor {
    return mul(this.w0, matmul(this.B, this.A, { alpha: this.scale }));
  }
}
