/**
 * LayerNorm and RMSNorm over the last axis (shaders/norm.wgsl), fused forward and backward.
 * Oracles: src/reference/nn.ts layerNorm, rmsNorm.
 */
import normSrc from '../../shaders/norm.wgsl?raw';
import type { Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import { needsGrad, record } from './autograd';
import { Tensor } from './tensor';

export const normKernel = (entry: 'forward' | 'backward' | 'params_grad', rms: boolean): Kernel => ({
  name: 'norm',
  code: normSrc,
  entry,
  constants: { RMS: rms },
});

function checkAffine(x: Tensor, p: Tensor | null, what: string, op: string): void {
  if (!p) return;
  const cols = x.shape[x.rank - 1];
  if (p.dtype !== 'f32' || p.size !== cols)
    throw new ShapeError(
      `${op}: ${what} [${p.shape.join(', ')}] must hold ${cols} f32 values (the last axis of [${x.shape.join(', ')}])`,
    );
  if (p.gpu !== x.gpu) throw new ShapeError(`${op}: tensors live on different GPU devices`);
}

function normalize(x: Tensor, gamma: Tensor | null, beta: Tensor | null, eps: number, rms: boolean): Tensor {
  const op = rms ? 'rmsNorm' : 'layerNorm';
  if (x.dtype !== 'f32') throw new ShapeError(`${op} takes an f32 tensor, got ${x.dtype}`);
  checkAffine(x, gamma, 'gamma', op);
  checkAffine(x, beta, 'beta', op);
  if (!(eps > 0)) throw new ShapeError(`${op}: eps must be positive, got ${eps}`);
  const gpu = x.gpu;
  const cols = x.shape[x.rank - 1];
  const rows = x.size / cols;
  const flags = (gamma ? 1 : 0) | (beta ? 2 : 0);
  const uniforms = { rows, cols, eps, flags };
  const y = Tensor.empty(gpu, x.shape, `A ${op} result`);
  const stats = Tensor.empty(gpu, [2 * rows], `${op} row statistics`);
  const grid = gpu.grid1d(rows);
  gpu.dispatch(
    normKernel('forward', rms),
    {
      x: x.buffer,
      gamma: gamma?.buffer ?? x.buffer,
      beta: beta?.buffer ?? x.buffer,
      y: y.buffer,
      stats: stats.buffer,
    },
    uniforms,
    grid,
  );
  const parents = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  const out = record(y, parents, (g) => {
    let dx: Tensor | null = null;
    if (needsGrad(x)) {
      dx = Tensor.empty(gpu, x.shape, `A ${op} input gradient`);
      gpu.dispatch(
        normKernel('backward', rms),
        { x: x.buffer, gamma: gamma?.buffer ?? x.buffer, saved: stats.buffer, dy: g.buffer, dx: dx.buffer },
        uniforms,
        grid,
      );
    }
    let dg: Tensor | null = null;
    let db: Tensor | null = null;
    if ((gamma && needsGrad(gamma)) || (beta && needsGrad(beta))) {
      dg = Tensor.empty(gpu, [cols], `A ${op} gamma gradient`);
      db = Tensor.empty(gpu, [cols], `A ${op} beta gradient`);
      gpu.dispatch(
        normKernel('params_grad', rms),
        { x: x.buffer, saved: stats.buffer, dy: g.buffer, dgamma: dg.buffer, dbeta: db.buffer },
        uniforms,
        gpu.grid1d(Math.ceil(cols / 64)),
      );
      if (gamma && dg.shape.join() !== gamma.shape.join()) dg = reshapeOwned(dg, gamma.shape);
      if (beta && db.shape.join() !== beta.shape.join()) db = reshapeOwned(db, beta.shape);
    }
    const res: Array<Tensor | null> = [dx];
    if (gamma) res.push(dg);
    else dg?.dispose();
    if (beta) res.push(db);
    else db?.dispose();
    return res;
  });
  if (out.backwardFn) out.own(stats);
  else stats.dispose();
  return out;
}

function reshapeOwned(t: Tensor, shape: readonly number[]): Tensor {
  const r = t.reshape(shape);
  t.dispose();
  return r;
}

export interface NormOptions {
  /** Default 1e-5. */
  eps?: number;
}

/** LayerNorm over the last axis: (x − μ)/√(var + eps) · γ + β (γ, β optional, of the last axis' size). */
export function layerNorm(
  x: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  opts: NormOptions = {},
): Tensor {
  return normalize(x, gamma, beta, opts.eps ?? 1e-5, false);
}

/** RMSNorm over the last axis: x / √(mean(x²) + eps) · γ (γ optional). */
export function rmsNorm(x: Tensor, gamma: Tensor | null, opts: NormOptions = {}): Tensor {
  return normalize(x, gamma, null, opts.eps ?? 1e-5, true);
}
