/**
 * Compacter / PHM (rabeehk/compacter hypercomplex/layers.py; ALGORITHMS.md §1) as a weight update:
 *   ΔW = s·H,  H = Σ_{i<n} A_i ⊗ (s_i·t_iᵀ),  A_i (n × n),  s_i (out/n),  t_i (in/n),
 * n = spec.rank (the PHM dimension; out and in must be divisible by n). Init: A_i Kaiming-uniform
 * (fan-in n), t_i Kaiming-uniform (fan-in in/n), s_i = 0, so H₀ = 0 and step 0 is the base bit for bit.
 * H is built from recorded ops (a batched outer product, one GEMM, a permute) — tiny at playground sizes.
 * Deviation: the paper shares the A_i across layers; here each adapted layer has its own (documented).
 * Trainable: n³ + out + in. No LoRA form: exports merge into W.
 */

import { matmul } from '../../tensor/ops';
import { permute } from '../../tensor/shape-ops';
import { Tensor } from '../../tensor/tensor';
import type { AdapterContext, AdapterSpec, BaseLinear } from './adapter';
import { Adapter, f32, kaimingUniform, scaling } from './adapter';

export class CompacterAdapter extends Adapter {
  readonly method = 'compacter' as const;
  readonly n: number;
  readonly scale: number;
  /** [n, n·n]: row i is vec(A_i). */
  readonly rule: Tensor;
  /** [n, out/n]: row i is s_i. */
  readonly left: Tensor;
  /** [n, in/n]: row i is t_i. */
  readonly right: Tensor;

  constructor(gpu: Tensor['gpu'], base: BaseLinear, spec: AdapterSpec, ctx: AdapterContext) {
    const n = spec.rank;
    if (!Number.isInteger(n) || n < 1 || base.out % n || base.in % n)
      throw new Error(
        `compacter: rank (the PHM dimension n) must divide out=${base.out} and in=${base.in}, got ${n}`,
      );
    super(gpu, base);
    this.n = n;
    this.scale = scaling(n, spec.alpha ?? n, spec.rslora === true);
    const p = base.out / n;
    const q = base.in / n;
    this.rule = this.param(
      'phm_rule',
      Tensor.fromArray(gpu, Float32Array.from(f32(kaimingUniform(ctx.rng, n * n * n, n))), [n, n * n]),
    );
    this.left = this.param('phm_left', Tensor.zeros(gpu, [n, p]));
    this.right = this.param(
      'phm_right',
      Tensor.fromArray(gpu, Float32Array.from(f32(kaimingUniform(ctx.rng, n * q, q))), [n, q]),
    );
  }

  delta(): Tensor {
    const { n } = this;
    const p = this.outFeatures / n;
    const q = this.inFeatures / n;
    // B_i = s_i·t_iᵀ for all i: [n, p, 1]·[n, 1, q] → [n, p·q]
    const Bs = matmul(this.left.reshape([n, p, 1]), this.right.reshape([n, 1, q])).reshape([n, p * q]);
    // K[(a, b), (x, y)] = Σ_i A_i[a, b]·B_i[x, y]
    const K = matmul(this.rule, Bs, { transA: true, alpha: this.scale });
    // H[a·p + x, b·q + y] = K[a, b, x, y]
    return permute(K.reshape([n, n, p, q]), [0, 2, 1, 3]).reshape([this.outFeatures, this.inFeatures]);
  }

  static trainableFormula(out: number, inp: number, n: number): number {
    return n * n * n + out + inp;
  }
}
