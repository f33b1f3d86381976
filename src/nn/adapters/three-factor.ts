/**
 * The three-matrix body shared by SLoRA / NLoRA / IntTune (./nlora.ts) and LoRA-XS / LoRA-SB
 * (./loraxs.ts): ΔW = B·M·A with B (out × r), M (r × r), A (r × in), y += s·((x·Aᵀ)·Mᵀ)·Bᵀ.
 * Which of the three train is the method's choice; the frozen ones are buffers (never parameters).
 * As a plain LoRA the middle matrix folds into A (A' = M·A); a residual init (NLoRA-nystrom) then
 * goes through the rank-2r conversion on the original W.
 */
import { matmul } from '../../tensor/ops';
import { Tensor } from '../../tensor/tensor';
import {
  Adapter,
  type AdapterName,
  type AdapterSpec,
  type BaseLinear,
  type LoraForm,
  mm,
  read64,
  scaling,
} from './adapter';
import { residual, toOriginal } from './pissa';

export interface ThreeInit {
  A: Float64Array;
  M: Float64Array;
  B: Float64Array;
  /** Which factors train. */
  train: { A: boolean; M: boolean; B: boolean };
  /** Subtract s·B·M·A from W (residual init). */
  residual: boolean;
  /** Parameter name of the middle matrix (lora_N for NLoRA, lora_R for LoRA-XS / SB). */
  middle: 'lora_N' | 'lora_R';
}

export class ThreeFactorAdapter extends Adapter {
  readonly rank: number;
  readonly alpha: number;
  readonly rslora: boolean;
  readonly scale: number;
  readonly A: Tensor;
  readonly M: Tensor;
  readonly B: Tensor;
  private readonly init0: { A: Float64Array; M: Float64Array; B: Float64Array } | null;

  constructor(
    readonly method: AdapterName,
    gpu: Tensor['gpu'],
    base: BaseLinear,
    spec: AdapterSpec,
    init: ThreeInit,
  ) {
    const r = spec.rank;
    const alpha = spec.alpha ?? r;
    const rs = spec.rslora === true;
    const s = scaling(r, alpha, rs);
    super(
      gpu,
      base,
      init.residual ? residual(base, mm(init.B, init.M, base.out, r, r), init.A, s, r) : undefined,
    );
    this.rank = r;
    this.alpha = alpha;
    this.rslora = rs;
    this.scale = s;
    const mk = (name: string, v: Float64Array, shape: number[], trains: boolean) => {
      const t = Tensor.fromArray(gpu, Float32Array.from(v), shape);
      return trains ? this.param(name, t) : this.buffer(t);
    };
    this.A = mk('lora_A', init.A, [r, base.in], init.train.A);
    this.M = mk(init.middle, init.M, [r, r], init.train.M);
    this.B = mk('lora_B', init.B, [base.out, r], init.train.B);
    this.init0 = init.residual ? { A: init.A, M: init.M, B: init.B } : null;
  }

  delta(): Tensor {
    return matmul(matmul(this.B, this.M), this.A, { alpha: this.scale });
  }

  protected override update(x: Tensor): Tensor {
    const u = matmul(matmul(x, this.A, { transB: true }), this.M, { transB: true });
    return matmul(u, this.B, { transB: true, alpha: this.scale });
  }

  override async loraForm(): Promise<LoraForm> {
    const { rank: r, inFeatures: inp, outFeatures: out } = this;
    const A = mm(await read64(this.M), await read64(this.A), r, r, inp);
    const B = await read64(this.B);
    if (!this.init0) return { r, alpha: this.alpha, rslora: this.rslora, scale: this.scale, A, B };
    const A0 = mm(this.init0.M, this.init0.A, r, r, inp);
    return toOriginal(A, B, A0, this.init0.B, r, this.alpha, this.rslora, out, inp);
  }
}
