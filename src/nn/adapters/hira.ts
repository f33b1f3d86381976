/**
 * Hadamard adapter, HiRA form (peft tuners/hira; ALGORITHMS.md §1 — HUT's own formula could not be
 * confirmed, so this is labelled "Hadamard (HiRA form)"): W' = W + W ⊙ (B·A), A (r × in)
 * Kaiming-uniform, B (out × r) = 0. ΔW₀ = 0 (step 0 is the base bit for bit); the update's rank is
 * not capped at r. Trainable: r·(in + out). No LoRA form: exports merge into W.
 * No α/r scaling: §1, the HiRA paper (ΔW = W₀ ⊙ (A·B)) and peft's HiRALayer (no lora_alpha; merge is
 * W ·= 1 + B·A) all use none, so an α or rsLoRA setting is refused rather than silently changing
 * the method (s = 1; the learning rate is the knob).
 */
import { matmul, mul } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import type { AdapterContext, AdapterSpec, BaseLinear } from './adapter';
import { Adapter, f32, kaimingUniform } from './adapter';
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
    if ((spec.alpha !== undefined && spec.alpha !== spec.rank) || spec.rslora)
      throw new Error(
        'hira: HiRA has no α/r scaling (peft HiRALayer: W·(1 + B·A)); leave alpha and rslora unset',
      );
    super(gpu, base);
    const r = spec.rank;
    this.rank = r;
    this.scale = 1;
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
