/**
 * Compacter / PHM (rabeehk/compacter hypercomplex/layers.py; ALGORITHMS.md §1) as a weight update:
 *   ΔW = s·H,  H = Σ_{i<n} A_i ⊗ (s_i·t_iᵀ),  A_i (n × n),  s_i (out/n),  t_i (in/n),
 * n = spec.rank (the PHM dimension; out and in must be divisible by n). Init: A_i Kaiming-uniform
 * (fan-in n), t_i Kaiming-uniform (fan-in in/n), s_i = 0, so H₀ = 0 and step 0 is the base bit for bit.
 * As the paper and §1 say, the A_i (the "slow" weights) are SHARED across every adapted layer of a
 * model: the first Compacter built with a `ctx.shared` map owns `phm_rule` (its parameter), the
 * others use the same tensor (its gradient accumulates over the layers). Alone, a layer owns its own.
 * Forward never materialises H (§1): x·Hᵀ is a reshape, three small GEMMs and two permutes —
 * Z = X·Tᵀ, U_i = A_i·Z_i, y = U·S. delta() (merge, export) does build H.
 * Trainable: out + in per layer, plus n³ once per model (`trainableFormula` + `sharedTrainable`).
 * No LoRA form: exports merge into W.
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
  /** [n, n·n]: row i is vec(A_i); shared by every Compacter built with the same ctx.shared map. */
  readonly rule: Tensor;
  /** True when this layer owns (registers and disposes) the shared rule. */
  readonly ownsRule: boolean;
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
    const key = `compacter.phm_rule.n${n}`;
    const shared = ctx.shared?.get(key);
    this.ownsRule = !shared;
    this.rule =
      shared ??
      this.param(
        'phm_rule',
        Tensor.fromArray(gpu, Float32Array.from(f32(kaimingUniform(ctx.rng, n * n * n, n))), [n, n * n]),
      );
    if (!shared) ctx.shared?.set(key, this.rule);
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

  /** x [N, in] → x·(s·H)ᵀ [N, out] without forming H. */
  protected override update(x: Tensor): Tensor {
    const { n } = this;
    const N = x.shape[0];
    const q = this.inFeatures / n;
    // Z[N, b, i] = Σ_y X[N, b, y]·t_i[y]   (X = x viewed as [N, n, q])
    const z = matmul(x.reshape([N * n, q]), this.right, { transB: true }).reshape([N, n, n]);
    // U[i, N, a] = Σ_b A_i[a, b]·Z[N, b, i]
    const u = matmul(permute(z, [2, 0, 1]), this.rule.reshape([n, n, n]), { transB: true });
    // y[N, a·p + x'] = s·Σ_i U[N, a, i]·s_i[x']
    return matmul(permute(u, [1, 2, 0]).reshape([N * n, n]), this.left, { alpha: this.scale }).reshape([
      N,
      this.outFeatures,
    ]);
  }

  /** This layer's trainable parameters: out + in, plus n³ when it owns the rule. */
  static trainableFormula(out: number, inp: number, n: number, ownsRule = true): number {
    return (ownsRule ? n * n * n : 0) + out + inp;
  }
}
