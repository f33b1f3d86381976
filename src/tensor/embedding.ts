/**
 * Embedding lookup (shaders/embedding.wgsl): gather rows of a table by integer ids; the backward
 * is a scatter-add with one writer per output and a fixed order (no float atomics), so the same
 * inputs give bit-identical gradients. Oracle: src/reference/nn.ts embedding.
 */
import embSrc from '../../shaders/embedding.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { record } from './autograd';
import { Tensor } from './tensor';

export const embeddingKernel = (entry: 'gather' | 'scatter'): Kernel => ({
  name: 'embedding',
  code: embSrc,
  entry,
});

/**
 * table [vocab, dim], ids (i32 or u32) of any shape → [...ids.shape, dim]. An id outside
 * [0, vocab) gives a zero row and no gradient (the GPU cannot raise an error: check ids where they
 * are made). Gradient flows to the table.
 */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  if (table.rank !== 2 || table.dtype !== 'f32')
    throw new ShapeError(
      `embedding: the table must be a 2-D f32 tensor [vocab, dim], got [${table.shape.join(', ')}] ${table.dtype}`,
    );
  if (ids.dtype === 'f32')
    throw new ShapeError('embedding: ids must be an integer (i32 or u32) tensor, got f32');
  if (table.gpu !== ids.gpu) throw new ShapeError('embedding: tensors live on different GPU devices');
  const [vocab, dim] = table.shape;
  const n = ids.size;
  const gpu = table.gpu;
  const out = Tensor.empty(gpu, [...ids.shape, dim], 'An embedding lookup');
  const uniforms = { n, dim, vocab };
  gpu.dispatch(
    embeddingKernel('gather'),
    { table: table.buffer, ids: ids.buffer, out: out.buffer },
    uniforms,
    gpu.grid1d(Math.ceil((n * dim) / 256)),
  );
  return record(out, [table], (g) => {
    const dt = Tensor.empty(gpu, table.shape, 'An embedding gradient');
    gpu.dispatch(
      embeddingKernel('scatter'),
      { ids: ids.buffer, g: g.buffer, dtable: dt.buffer },
      uniforms,
      gpu.grid1d(vocab),
    );
    return [dt];
  });
}
