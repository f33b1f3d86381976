/** Every kernel variant the transformer ops dispatch, for Gpu.precompile ahead of a training run. */
import type { Kernel } from '../gpu/device';
import { dropoutKernel } from './dropout';
import { embeddingKernel } from './embedding';
import { crossEntropyKernel } from './loss';
import { maskKernel } from './mask';
import { normKernel } from './norm';
import { stridedKernel } from './shape-ops';
import { symmetricKernel } from './symmetric';

export function trainingKernels(): Kernel[] {
  const ks: Kernel[] = [dropoutKernel, embeddingKernel('gather'), embeddingKernel('scatter')];
  for (const mean of [true, false])
    for (const e of ['rows', 'reduce', 'backward'] as const) ks.push(crossEntropyKernel(e, mean));
  ks.push(maskKernel('causal'));
  for (const f of [true, false]) {
    ks.push(maskKernel('where_', f));
    for (const keep of [true, false]) ks.push(maskKernel('pick', f, keep));
  }
  for (const rms of [false, true])
    for (const e of ['forward', 'backward', 'params_grad'] as const) ks.push(normKernel(e, rms));
  ks.push(stridedKernel('gather'), stridedKernel('scatter'));
  ks.push(symmetricKernel('from_tri'), symmetricKernel('fold'));
  return ks;
}
