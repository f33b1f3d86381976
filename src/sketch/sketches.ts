/**
 * Sketching matrices S (m × n) applied to a tall A (n × d), ALGORITHMS.md §8. Each sketch is drawn
 * from a seeded Rng as its random parameters (the same objects the f64 oracle in
 * src/reference/sketch.ts forms densely), and applied on the GPU:
 * - gaussian: S_ij ~ N(0, 1/m), dense (it is a dense matrix): one GEMM, O(mnd).
 * - srht: S = √(nPad/m)·P·H·D (signs D, the normalised FWHT H, m rows P sampled without
 *   replacement; A padded with zero rows to nPad, a power of two): signs + FWHT + gather, S never
 *   formed, O(nd log n).
 * - countsketch: row i of A added with sign σ(i) into row h(i): a gather per output row, O(nnz(A)).
 * - osnap: s nonzeros ±1/√s per column at s distinct rows: the same gather, O(s·nnz(A)).
 */
import sketchSrc from '../../shaders/sketch.wgsl?raw';
import type { Gpu, Kernel } from '../gpu/device';
import { ShapeError } from '../gpu/errors';
import type { SketchParamsRef } from '../reference/sketch';
import { matmul } from '../tensor/ops';
import type { Rng } from '../tensor/rng';
import { Tensor } from '../tensor/tensor';
import { fwht } from './fwht';

export const SKETCH_TYPES = ['gaussian', 'srht', 'countsketch', 'osnap'] as const;
export type SketchType = (typeof SKETCH_TYPES)[number];
/** Dense sketches (every entry nonzero) vs sparse ones (the ℓ∞ guarantee is proven for dense ones). */
export const DENSE_SKETCHES: readonly SketchType[] = ['gaussian', 'srht'];

export type SketchParams = SketchParamsRef;

const sketchKernel = (entry: 'signPadT' | 'sampleT' | 'csrRows'): Kernel => ({
  name: 'sketch',
  code: sketchSrc,
  entry,
});

export function sketchKernels(): Kernel[] {
  return [sketchKernel('signPadT'), sketchKernel('sampleT'), sketchKernel('csrRows')];
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

const sign = (rng: Rng) => (rng.nextU32() & 1 ? 1 : -1);

/** k distinct integers from [0, n), in draw order (partial Fisher–Yates). */
function sampleWithoutReplacement(n: number, k: number, rng: Rng): Uint32Array {
  const pool = new Map<number, number>();
  const out = new Uint32Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const vj = pool.get(j) ?? j;
    out[i] = vj;
    pool.set(j, pool.get(i) ?? i);
  }
  return out;
}

export interface SketchOptions {
  /** OSNAP: nonzeros per column (1 ≤ s ≤ m; default min(4, m)). */
  s?: number;
}

/** Check 1 ≤ m ≤ n (a sketch reduces rows); ShapeError naming both otherwise. */
export function checkSketchSize(m: number, n: number, what = 'sketch'): void {
  if (!Number.isInteger(n) || n < 1) throw new ShapeError(`${what}: n = ${n} must be a positive integer`);
  if (!Number.isInteger(m) || m < 1) throw new ShapeError(`${what}: m = ${m} must be a positive integer`);
  if (m > n) throw new ShapeError(`${what}: m = ${m} sketch rows exceed the n = ${n} rows of A (need m ≤ n)`);
}

/** Draw the random parameters of an m × n sketch of the given type. */
export function drawSketch(
  type: SketchType,
  m: number,
  n: number,
  rng: Rng,
  opts: SketchOptions = {},
): SketchParams {
  checkSketchSize(m, n, type);
  switch (type) {
    case 'gaussian':
      return { type, m, n, S: rng.normals(m * n, 1 / Math.sqrt(m)) };
    case 'srht': {
      const nPad = nextPowerOfTwo(n);
      const signs = new Float32Array(n);
      for (let i = 0; i < n; i++) signs[i] = sign(rng);
      return { type, m, n, nPad, signs, rows: sampleWithoutReplacement(nPad, m, rng) };
    }
    case 'countsketch': {
      const hash = new Uint32Array(n);
      const signs = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        hash[i] = rng.int(m);
        signs[i] = sign(rng);
      }
      return { type, m, n, hash, signs };
    }
    case 'osnap': {
      const s = opts.s ?? Math.min(4, m);
      if (!Number.isInteger(s) || s < 1 || s > m)
        throw new ShapeError(`osnap: s = ${s} nonzeros per column must be an integer in [1, m = ${m}]`);
      const rows = new Uint32Array(n * s);
      const signs = new Float32Array(n * s);
      for (let i = 0; i < n; i++) {
        rows.set(sampleWithoutReplacement(m, s, rng), i * s);
        for (let t = 0; t < s; t++) signs[i * s + t] = sign(rng);
      }
      return { type, m, n, s, rows, signs };
    }
  }
}

/** A sparse sketch as CSR by output row: rowPtr (m + 1), idx (input rows), vals. */
export function sketchCsr(p: SketchParams): { rowPtr: Uint32Array; idx: Uint32Array; vals: Float32Array } {
  if (p.type !== 'countsketch' && p.type !== 'osnap') throw new Error(`sketchCsr: ${p.type} is not sparse`);
  const s = p.type === 'osnap' ? p.s : 1;
  const target = p.type === 'osnap' ? p.rows : p.hash;
  const v = 1 / Math.sqrt(s);
  const count = new Uint32Array(p.m + 1);
  for (let e = 0; e < p.n * s; e++) count[target[e] + 1]++;
  for (let j = 0; j < p.m; j++) count[j + 1] += count[j];
  const rowPtr = count.slice();
  const fill = count.slice(0, p.m);
  const idx = new Uint32Array(p.n * s);
  const vals = new Float32Array(p.n * s);
  for (let e = 0; e < p.n * s; e++) {
    const j = target[e];
    const at = fill[j]++;
    idx[at] = Math.floor(e / s);
    vals[at] = v * p.signs[e];
  }
  return { rowPtr, idx, vals };
}

/** A 1-D tensor of the values (f32 or u32); one zero element when empty (no zero-size binding). */
function upload(gpu: Gpu, data: Float32Array | Uint32Array): Tensor {
  const d = data.length > 0 ? data : data instanceof Uint32Array ? new Uint32Array(1) : new Float32Array(1);
  return Tensor.fromArray(gpu, d, [d.length]);
}

/** S·A (m × d) on the GPU for A (n × d); S is formed only for the Gaussian sketch (it is dense). */
export function applySketch(p: SketchParams, A: Tensor): Tensor {
  if (A.rank !== 2 || A.shape[0] !== p.n)
    throw new ShapeError(
      `applySketch: A must be [${p.n}, d] for an ${p.m} × ${p.n} sketch, got [${A.shape.join(', ')}]`,
    );
  const gpu = A.gpu;
  const d = A.shape[1];
  if (p.type === 'gaussian') {
    const S = Tensor.fromArray(gpu, Float32Array.from(p.S), [p.m, p.n]);
    const out = matmul(S, A);
    S.dispose();
    return out;
  }
  const wg = (count: number) => gpu.grid1d(Math.ceil(count / 256));
  const scratch: Tensor[] = [];
  const release = () => {
    for (const t of scratch) t.dispose();
  };
  if (p.type === 'srht') {
    const signs = upload(gpu, Float32Array.from(p.signs));
    const rows = upload(gpu, Uint32Array.from(p.rows));
    scratch.push(signs, rows);
    const Z = Tensor.empty(gpu, [d, p.nPad], 'The SRHT padded transpose');
    const params = { n: p.n, d, nPad: p.nPad, m: p.m, scale: Math.sqrt(p.nPad / p.m) };
    gpu.dispatch(
      sketchKernel('signPadT'),
      { a: A.buffer, signs: signs.buffer, out: Z.buffer },
      params,
      wg(d * p.nPad),
    );
    const Y = fwht(Z, { normalised: true });
    Z.dispose();
    const out = Tensor.empty(gpu, [p.m, d], 'A sketch S·A');
    gpu.dispatch(
      sketchKernel('sampleT'),
      { a: Y.buffer, rows: rows.buffer, out: out.buffer },
      params,
      wg(p.m * d),
    );
    Y.dispose();
    release();
    return out;
  }
  const csr = sketchCsr(p);
  const rowPtr = upload(gpu, csr.rowPtr);
  const idx = upload(gpu, csr.idx);
  const vals = upload(gpu, csr.vals);
  scratch.push(rowPtr, idx, vals);
  const out = Tensor.empty(gpu, [p.m, d], 'A sketch S·A');
  gpu.dispatch(
    sketchKernel('csrRows'),
    { a: A.buffer, rowPtr: rowPtr.buffer, idx: idx.buffer, vals: vals.buffer, out: out.buffer },
    { n: p.n, d, nPad: p.n, m: p.m, scale: 1 },
    wg(p.m * d),
  );
  release();
  return out;
}
