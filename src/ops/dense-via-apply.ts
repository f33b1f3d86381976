/** A structured matrix as a dense tensor through its own apply (shared by families without a direct toDense). */

import type { StructuredMatrix } from '../structured/types';
import { noGrad } from '../tensor/autograd';
import { transpose } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';

/**
 * W as a dense tensor through apply: W = (I·Wᵀ)ᵀ. A value for plots and errors, not differentiable:
 * no graph is recorded, so no intermediate outlives the call (leak-free outside tidy()).
 */
export function denseViaApply(m: StructuredMatrix): Tensor {
  return noGrad(() => {
    const gpu = m.parameters()[0].gpu;
    const eye = new Float32Array(m.cols * m.cols);
    for (let i = 0; i < m.cols; i++) eye[i * m.cols + i] = 1;
    const I = Tensor.fromArray(gpu, eye, [m.cols, m.cols]);
    const wt = m.apply(I);
    const w = transpose(wt);
    wt.dispose();
    I.dispose();
    return w;
  });
}
