/**
 * Quintic Newton–Schulz orthogonalisation as in Muon (KellerJordan/Muon `muon.py`; ALGORITHMS.md §4):
 *
 *   X = G / (‖G‖_F + 1e-7)   (transposed first when rows > cols, so X·Xᵀ is the small Gram matrix)
 *   5 times: A = X·Xᵀ;  B = b·A + c·A·A;  X = a·X + B·X,   (a, b, c) = (3.4445, −4.7750, 2.0315)
 *
 * Each singular value σ of X maps to p(σ) = aσ + bσ³ + cσ⁵ while the singular vectors are kept, so
 * the output's singular values are p∘5(σ_i(G)/‖G‖_F) (all in ≈ [0.7, 1.2] for σ not tiny): an
 * approximate U·Vᵀ. Runs entirely on the GPU (matmuls from src/tensor/ops), no read-back.
 */
import { ShapeError } from '../gpu/errors';
import { add, axpby, div, matmul, norm, transpose } from '../tensor/ops';
import { Tensor, tidy } from '../tensor/tensor';

export const NS_COEFFS: readonly [number, number, number] = [3.4445, -4.775, 2.0315];
export const NS_STEPS = 5;
export const NS_EPS = 1e-7;

export interface NewtonSchulzOptions {
  steps?: number;
  coeffs?: readonly [number, number, number];
  eps?: number;
}

/** Orthogonalise a 2-D tensor [rows, cols]; returns a new tensor of the same shape. */
export function newtonSchulz5(g: Tensor, opts: NewtonSchulzOptions = {}): Tensor {
  const { steps = NS_STEPS, coeffs = NS_COEFFS, eps = NS_EPS } = opts;
  if (g.rank !== 2) throw new ShapeError(`newtonSchulz5 takes a 2-D tensor, got [${g.shape.join(', ')}]`);
  if (!Number.isInteger(steps) || steps < 0)
    throw new Error(`newtonSchulz5: steps must be a non-negative integer, got ${steps}`);
  const [a, b, c] = coeffs;
  const [rows, cols] = g.shape;
  const tall = rows > cols;
  return tidy(() => {
    const x0 = tall ? transpose(g) : g;
    const den = add(norm(x0), Tensor.full(g.gpu, [1], eps));
    let x = div(x0, den);
    for (let s = 0; s < steps; s++) {
      const next = tidy(() => {
        const A = matmul(x, x, { transB: true });
        const B = axpby(b, A, c, matmul(A, A));
        return axpby(a, x, 1, matmul(B, x));
      });
      x.dispose();
      x = next;
    }
    return tall ? transpose(x) : x;
  });
}

/** The scalar map one NS step applies to a singular value, iterated `steps` times. */
export function nsPolynomial(sigma: number, steps = NS_STEPS, coeffs = NS_COEFFS): number {
  const [a, b, c] = coeffs;
  let x = sigma;
  for (let i = 0; i < steps; i++) {
    const x2 = x * x;
    x = a * x + b * x2 * x + c * x2 * x2 * x;
  }
  return x;
}
