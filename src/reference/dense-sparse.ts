/**
 * float64 oracle of the dense × sparse family (DSFormer reading, src/structured/dense-sparse.ts):
 * W = D·S, D out × k, S = the N:M projection of the latent S̃ (k × in). Plain loops.
 */
import { nmProject } from './sparse';

/** W (out × in) = D · nmProject(S̃). */
export function denseSparseDense(
  d: ArrayLike<number>,
  sLatent: ArrayLike<number>,
  out: number,
  k: number,
  inp: number,
  n: number,
  m: number,
): Float64Array {
  const s = nmProject(sLatent, k, inp, n, m);
  const w = new Float64Array(out * inp);
  for (let i = 0; i < out; i++)
    for (let j = 0; j < inp; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += d[i * k + t] * s[t * inp + j];
      w[i * inp + j] = acc;
    }
  return w;
}
