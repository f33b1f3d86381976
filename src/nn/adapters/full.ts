/**
 * Full fine-tuning (the baseline): W itself trains (out·in parameters); the bias stays frozen like
 * every adapter's. ΔW = W − W₀. No LoRA form: exports the merged weight.
 */
import { matmul, sub } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import type { BaseLinear } from './adapter';
import { Adapter } from './adapter';

export class FullAdapter extends Adapter {
  readonly method = 'full' as const;
  readonly weight: Tensor;
  private readonly w0: Tensor;
  constructor(gpu: Tensor['gpu'], base: BaseLinear) {
    super(gpu, base);
    this.weight = this.param(
      'weight',
      Tensor.fromArray(gpu, Float32Array.from(base.weight), [base.out, base.in]),
    );
    this.w0 = this.buffer(Tensor.fromArray(gpu, Float32Array.from(base.weight), [base.out, base.in]));
  }

  delta(): Tensor {
    return sub(this.weight, this.w0);
  }

  protected override core(x2: Tensor): Tensor {
    return this.merged ? super.core(x2) : matmul(x2, this.weight, { transB: true });
  }
}
