/**
 * Symmetric matrices stored as their upper triangle (shaders/symmetric.wgsl): the symmetric
 * similarity W_qk of "Reducing the Transformer Architecture to a Minimum" (ALGORITHMS.md §7) keeps
 * d(d + 1)/2 numbers per head, builds the d × d matrix on the GPU for the forward pass, and folds
 * the gradient back onto the triangle (g[i, j] + g[j, i] off the diagonal). Oracle:
 * src/reference/nn.ts symmetricFromTriangle.
 */
import symSrc from '../../shaders/symmetric.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { record } from './autograd';
import { Tensor } from './tensor';

export const symmetricKernel = (entry: 'from_tri' | 'fold'): Kernel => ({
  name: 'symmetric',
  code: symSrc,
  entry,
});

/** Stored numbers of a symmetric d × d matrix: d(d + 1)/2. */
export const triangleSize = (d: number): number => (d * (d + 1)) / 2;

/**
 * tri [heads, d(d+1)/2] (row-major upper triangle per head: row i holds W[i, i … d−1]) →
 * W [heads, d, d] with W[h, i, j] = W[h, j, i]. Gradient flows to tri.
 */
export function symmetricFromTriangle(tri: Tensor, d: number): Tensor {
  if (!Number.isInteger(d) || d < 1)
    throw new ShapeError(`symmetricFromTriangle: d must be a positive integer, got ${d}`);
  const t = triangleSize(d);
  if (tri.dtype !== 'f32' || tri.rank !== 2 || tri.shape[1] !== t)
    throw new ShapeError(
      `symmetricFromTriangle: tri must be an f32 [heads, ${t}] tensor for d = ${d} (d(d+1)/2 = ${t}), got [${tri.shape.join(', ')}] ${tri.dtype}`,
    );
  const heads = tri.shape[0];
  const gpu = tri.gpu;
  const n = heads * d * d;
  const u = { n, d, tri: t };
  const grid = gpu.grid1d(Math.ceil(n / 256));
  const out = Tensor.empty(gpu, [heads, d, d], 'A symmetric matrix from its triangle');
  gpu.dispatch(symmetricKernel('from_tri'), { src: tri.buffer, dst: out.buffer }, u, grid);
  return record(out, [tri], (g) => {
    const gt = Tensor.empty(gpu, tri.shape, 'A symmetric-triangle gradient');
    gpu.dispatch(symmetricKernel('fold'), { src: g.buffer, dst: gt.buffer }, u, grid);
    return [gt];
  });
}
