/**
 * MBAT (Matrix Binding of Additive Terms; Gallant & Okaywe 2013, Gallant 2022 "Orthogonal Matrices
 * for MBAT Vector Symbolic Architectures, and a Soft VSA Representation for JSON"), ALGORITHMS.md §9.
 *
 * Our reading (the 2022 paper's exact JSON recipe was not available to us beyond its abstract):
 * - atoms (keys, strings, booleans, null, number buckets) are seeded random unit vectors in R^D;
 *   a number v is "soft": (1 − f)·atom(⌊v⌋) + f·atom(⌊v⌋ + 1), f = v − ⌊v⌋, so near numbers are near;
 * - an object at nesting level ℓ is B_ℓ·Σ_k (atom(key_k) + value_k): MBAT binds the *sum* of its
 *   terms, one random matrix per level ("one level deeper"), so nesting is repeated binding and
 *   order matters ({a: {b: x}} ≠ {b: {a: x}});
 * - arrays are bundles (sums) of their items (unordered); nothing is normalised inside a record,
 *   the record vector is normalised only for cosine retrieval.
 * Binding matrices: 'orthogonal' (Haar, QR of a Gaussian), 'hadamard' (H̃·D₃·H̃·D₂·H̃·D₁, H̃ the
 * normalised Walsh–Hadamard transform, D_i random signs: orthogonal and applied by the FWHT in
 * O(D log D)), 'gaussian' (entries N(0, 1/D): norms kept only in expectation).
 * The products run on the GPU, one batched product per nesting level over all records.
 */
import { ShapeError } from '../gpu/errors';
import { randomOrthogonal } from '../linalg/orthogonal';
import { hadamardDense } from '../reference/sketch';
import { add, matmul, mul } from '../tensor/ops';
import { Rng } from '../tensor/rng';
import { Tensor, tidy } from '../tensor/tensor';
import { fwht, isPowerOfTwo } from './fwht';

export const BINDING_TYPES = ['orthogonal', 'hadamard', 'gaussian'] as const;
export type BindingType = (typeof BINDING_TYPES)[number];

/** One level's binding: rows of x ↦ rows of (B·x)ᵀ = x·Bᵀ. */
export interface Binder {
  readonly type: BindingType;
  readonly dim: number;
  readonly gpu: Tensor['gpu'];
  apply(x: Tensor): Tensor;
  /** B (D × D, row-major, f64) for oracles and tests. */
  dense(): Float64Array;
  dispose(): void;
}

class DenseBinder implements Binder {
  private readonly B: Tensor;
  constructor(
    readonly type: BindingType,
    readonly dim: number,
    private readonly b: Float64Array,
    readonly gpu: Tensor['gpu'],
  ) {
    this.B = Tensor.fromArray(gpu, Float32Array.from(b), [dim, dim]);
  }
  apply(x: Tensor): Tensor {
    return matmul(x, this.B, { transB: true });
  }
  dense(): Float64Array {
    return this.b;
  }
  dispose(): void {
    this.B.dispose();
  }
}

class HadamardBinder implements Binder {
  readonly type = 'hadamard';
  private readonly s: Tensor[];
  constructor(
    readonly dim: number,
    private readonly signs: Float32Array[],
    readonly gpu: Tensor['gpu'],
  ) {
    this.s = signs.map((v) => Tensor.fromArray(gpu, v, [dim]));
  }
  apply(x: Tensor): Tensor {
    return tidy(() => {
      let y = x;
      for (const s of this.s) y = fwht(mul(y, s), { normalised: true });
      return y;
    });
  }
  dense(): Float64Array {
    const D = this.dim;
    const H = hadamardDense(D, true);
    let B = new Float64Array(D * D);
    for (let i = 0; i < D; i++) B[i * D + i] = 1;
    for (const s of this.signs) {
      // B ← H̃·diag(s)·B
      const next = new Float64Array(D * D);
      for (let i = 0; i < D; i++)
        for (let k = 0; k < D; k++) {
          const h = H[i * D + k] * s[k];
          for (let j = 0; j < D; j++) next[i * D + j] += h * B[k * D + j];
        }
      B = next;
    }
    return B;
  }
  dispose(): void {
    for (const s of this.s) s.dispose();
  }
}

/** Check the dimension for a binding type (the Hadamard one needs a power of two). */
export function checkBindingDim(type: BindingType, dim: number): void {
  if (!Number.isInteger(dim) || dim < 2) throw new ShapeError(`binding: dim = ${dim} must be an integer ≥ 2`);
  if (type === 'hadamard' && !isPowerOfTwo(dim))
    throw new ShapeError(`binding: the hadamard binding needs dim a power of two, got ${dim}`);
}

/** `levels` independent binding matrices of one type, drawn from rng. */
export function makeBinders(
  gpu: Tensor['gpu'],
  type: BindingType,
  dim: number,
  levels: number,
  rng: Rng,
): Binder[] {
  checkBindingDim(type, dim);
  const out: Binder[] = [];
  for (let l = 0; l < levels; l++) {
    if (type === 'orthogonal') out.push(new DenseBinder(type, dim, randomOrthogonal(dim, rng), gpu));
    else if (type === 'gaussian')
      out.push(new DenseBinder(type, dim, rng.normals(dim * dim, 1 / Math.sqrt(dim)), gpu));
    else
      out.push(
        new HadamardBinder(
          dim,
          [0, 1, 2].map(() => Float32Array.from({ length: dim }, () => (rng.nextU32() & 1 ? 1 : -1))),
          gpu,
        ),
      );
  }
  return out;
}

// ------------------------------------------------------------------ atoms

function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Seeded random unit vectors for named atoms (cached). */
export class Atoms {
  private cache = new Map<string, Float64Array>();
  constructor(
    readonly dim: number,
    readonly seed: number,
  ) {}

  atom(name: string): Float64Array {
    let v = this.cache.get(name);
    if (!v) {
      v = new Rng(hashString(name, this.seed) * 4096 + (this.seed & 4095)).normals(this.dim);
      let n = 0;
      for (const x of v) n += x * x;
      n = Math.sqrt(n);
      for (let i = 0; i < this.dim; i++) v[i] /= n;
      this.cache.set(name, v);
    }
    return v;
  }

  /** A leaf's vector: soft number buckets, strings, booleans, null. */
  leaf(v: unknown): Float64Array {
    if (typeof v === 'number' && Number.isFinite(v)) {
      const k = Math.floor(v);
      const f = v - k;
      const a = this.atom(`n:${k}`);
      const b = this.atom(`n:${k + 1}`);
      return a.map((x, i) => (1 - f) * x + f * b[i]);
    }
    if (typeof v === 'string') return this.atom(`s:${v}`);
    if (typeof v === 'boolean') return this.atom(`b:${v}`);
    return this.atom('null');
  }
}

// ------------------------------------------------------------------ encoding

/**
 * Encode JSON values (records) with one binder per nesting level (binders[ℓ] for objects at
 * level ℓ). Everything is linear and every object at level ℓ is bound by the same B_ℓ, so a
 * record's vector is, Horner-style, B₀·(T₀ + B₁·(T₁ + B₂·(T₂ + …))) with T_ℓ the sum of the key and
 * leaf vectors that sit directly inside level-ℓ objects (plus leaves outside any object, unbound).
 * The T_ℓ are summed on the CPU; the products run on the GPU for all records at once, one batched
 * product per level and a single read-back. Returns R × D row-major.
 */
export async function encodeRecords(
  records: readonly unknown[],
  binders: readonly Binder[],
  atoms: Atoms,
): Promise<Float64Array> {
  const D = atoms.dim;
  const R = records.length;
  const terms: Float32Array[] = [];
  const loose = new Float64Array(R * D);
  const addAt = (level: number, r: number, v: ArrayLike<number>) => {
    if (level < 0) {
      for (let i = 0; i < D; i++) loose[r * D + i] += v[i];
      return;
    }
    while (terms.length <= level) terms.push(new Float32Array(R * D));
    const t = terms[level];
    for (let i = 0; i < D; i++) t[r * D + i] += v[i];
  };
  const walk = (v: unknown, r: number, level: number) => {
    // level: the level of the innermost enclosing object (−1: none).
    if (Array.isArray(v)) {
      for (const x of v) walk(x, r, level);
    } else if (v !== null && typeof v === 'object') {
      const inner = level + 1;
      if (inner >= binders.length)
        throw new ShapeError(
          `binding: a record nests ${inner + 1} objects deep, over the ${binders.length} levels`,
        );
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        addAt(inner, r, atoms.atom(`k:${k}`));
        walk(x, r, inner);
      }
    } else addAt(level, r, atoms.leaf(v));
  };
  records.forEach((rec, r) => {
    walk(rec, r, -1);
  });
  const out = loose;
  if (terms.length === 0) return out;
  const gpu = binders[0].gpu;
  let acc: Tensor | null = null;
  try {
    for (let level = terms.length - 1; level >= 0; level--) {
      const T = Tensor.fromArray(gpu, terms[level], [R, D]);
      const S = acc ? add(T, acc) : T;
      if (acc) {
        T.dispose();
        acc.dispose();
      }
      acc = binders[level].apply(S);
      S.dispose();
    }
    const y = await (acc as Tensor).read();
    for (let i = 0; i < R * D; i++) out[i] += y[i];
  } finally {
    acc?.dispose();
  }
  return out;
}

/**
 * ‖x_L‖ for x_L = B_L ⋯ B_1·x_0 over L = 0…binders.length, from `trials` random unit x_0, on the
 * GPU: per depth the mean, min and max over the trials.
 */
export async function normChain(
  gpu: Tensor['gpu'],
  binders: readonly Binder[],
  trials: number,
  rng: Rng,
): Promise<Array<{ mean: number; min: number; max: number }>> {
  const D = binders[0].dim;
  const x0 = new Float32Array(trials * D);
  for (let t = 0; t < trials; t++) {
    const v = rng.normals(D);
    let n = 0;
    for (const a of v) n += a * a;
    for (let i = 0; i < D; i++) x0[t * D + i] = v[i] / Math.sqrt(n);
  }
  const stats = (v: Float32Array) => {
    const norms = Array.from({ length: trials }, (_, t) => {
      let s = 0;
      for (let i = 0; i < D; i++) s += v[t * D + i] ** 2;
      return Math.sqrt(s);
    });
    return {
      mean: norms.reduce((a, b) => a + b, 0) / trials,
      min: Math.min(...norms),
      max: Math.max(...norms),
    };
  };
  // Every depth's vectors stay on the GPU until one read-back at the end (one round trip).
  const xs = [Tensor.fromArray(gpu, x0, [trials, D])];
  try {
    for (const b of binders) xs.push(b.apply(xs[xs.length - 1]));
    const values = await Promise.all(xs.map((t) => t.read()));
    return values.map(stats);
  } finally {
    for (const t of xs) t.dispose();
  }
}

// ------------------------------------------------------------------ perturbation and retrieval

/** Every leaf path of a JSON value. */
function leafPaths(v: unknown, path: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      leafPaths(x, [...path, i], out);
    });
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) leafPaths(x, [...path, k], out);
  else out.push(path);
  return out;
}

/**
 * A copy of `record` with `leaves` random leaves changed: numbers + noise·N(0, 1), strings replaced
 * by another string of the pool (or marked), booleans flipped, null → 0.
 */
export function perturbRecord(
  record: unknown,
  leaves: number,
  noise: number,
  strings: readonly string[],
  rng: Rng,
): unknown {
  const copy = JSON.parse(JSON.stringify(record)) as unknown;
  const paths = leafPaths(copy);
  for (let c = 0; c < Math.min(leaves, paths.length); c++) {
    const p = paths.splice(rng.int(paths.length), 1)[0];
    if (p.length === 0) return perturbLeaf(copy, noise, strings, rng);
    let parent = copy as Record<string | number, unknown>;
    for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const key = p[p.length - 1];
    parent[key] = perturbLeaf(parent[key], noise, strings, rng);
  }
  return copy;
}

function perturbLeaf(v: unknown, noise: number, strings: readonly string[], rng: Rng): unknown {
  if (typeof v === 'number') return v + noise * rng.normal();
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'string') {
    const others = strings.filter((s) => s !== v);
    return others.length ? others[rng.int(others.length)] : `${v}~`;
  }
  return 0;
}

/** Every string leaf in the records (the pool string perturbations draw from). */
export function stringLeaves(records: readonly unknown[]): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v as Record<string, unknown>).forEach(walk);
    else if (typeof v === 'string') out.add(v);
  };
  records.forEach(walk);
  return [...out].sort();
}

/**
 * Nearest neighbour by cosine similarity on the GPU: for every query row the index of the most
 * similar key row. Returns the indices and each query's cosine with the key of the same index.
 */
export async function nearestByCosine(
  gpu: Tensor['gpu'],
  keys: Float64Array,
  queries: Float64Array,
  D: number,
): Promise<{ nearest: number[]; selfCosine: number[] }> {
  const unit = (a: Float64Array) => {
    const r = a.length / D;
    const out = new Float32Array(a.length);
    for (let i = 0; i < r; i++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += a[i * D + j] ** 2;
      const n = Math.sqrt(s) || 1;
      for (let j = 0; j < D; j++) out[i * D + j] = a[i * D + j] / n;
    }
    return out;
  };
  const R = keys.length / D;
  const Q = queries.length / D;
  const K = Tensor.fromArray(gpu, unit(keys), [R, D]);
  const X = Tensor.fromArray(gpu, unit(queries), [Q, D]);
  const S = matmul(X, K, { transB: true });
  const sims = await S.read();
  for (const t of [K, X, S]) t.dispose();
  const nearest: number[] = [];
  const selfCosine: number[] = [];
  for (let q = 0; q < Q; q++) {
    let best = 0;
    for (let r = 1; r < R; r++) if (sims[q * R + r] > sims[q * R + best]) best = r;
    nearest.push(best);
    selfCosine.push(q < R ? sims[q * R + q] : Number.NaN);
  }
  return { nearest, selfCosine };
}
