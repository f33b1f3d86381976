/**
 * OLoRA (arXiv 2406.01775; peft olora_init; ALGORITHMS.md §1): Q, R = qr(W) (thin Householder,
 * R_jj ≥ 0), B = Q[:, :r], A = R[:r, :], W_res = W − s·B·A. Step 0 reproduces the base (f32 rounding
 * of W_res aside); it converts to a rank-2r LoRA on the original W like PiSSA.
 */
import { qrCpu } from '../../linalg/qr';
import type { Tensor } from '../../tensor/tensor';
import type { AdapterContext, AdapterSpec, BaseLinear } from './adapter';
import { f32 } from './adapter';
import { checkRank } from './lora';
import { ResidualTwoFactor } from './pissa';

export function oloraFactors(base: BaseLinear, r: number): { A: Float64Array; B: Float64Array } {
  const { out, in: inp } = base;
  const { Q, R, k } = qrCpu(Float64Array.from(base.weight), out, inp);
  const B = new Float64Array(out * r);
  for (let i = 0; i < out; i++) for (let j = 0; j < r; j++) B[i * r + j] = Q[i * k + j];
  const A = R.slice(0, r * inp);
  return { A: f32(A), B: f32(B) };
}

export async function createOlora(
  gpu: Tensor['gpu'],
  base: BaseLinear,
  spec: AdapterSpec,
  _ctx: AdapterContext,
): Promise<ResidualTwoFactor> {
  checkRank(spec, base);
  const { A, B } = oloraFactors(base, spec.rank);
  return new ResidualTwoFactor('olora', gpu, base, spec, A, B);
}
