/**
 * float64 oracle of the MBAT JSON encoding (src/sketch/binding.ts; ALGORITHMS.md §9), written
 * recursively with dense matrices and plain loops:
 *   enc(object, ℓ) = B_ℓ · Σ_k (atom(key k) + val(v_k, ℓ))
 *   val(object, ℓ) = enc(object, ℓ + 1);  val(array, ℓ) = Σ_i val(item_i, ℓ);  val(leaf) = leafVector(leaf)
 * B_ℓ (D × D, row-major) is level ℓ's binding matrix; a top-level array is encoded as a bundle of its items.
 */

export function matVec(B: ArrayLike<number>, x: ArrayLike<number>, D: number): Float64Array {
  const y = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    let s = 0;
    for (let j = 0; j < D; j++) s += B[i * D + j] * x[j];
    y[i] = s;
  }
  return y;
}

export function encodeRef(
  value: unknown,
  D: number,
  mats: ArrayLike<number>[],
  atom: (name: string) => ArrayLike<number>,
  leafVector: (leaf: unknown) => ArrayLike<number>,
  level = 0,
): Float64Array {
  const add = (a: Float64Array, b: ArrayLike<number>) => {
    for (let i = 0; i < D; i++) a[i] += b[i];
  };
  const val = (v: unknown, l: number): ArrayLike<number> => {
    if (Array.isArray(v)) {
      const s = new Float64Array(D);
      for (const item of v) add(s, val(item, l));
      return s;
    }
    if (v !== null && typeof v === 'object') return encodeRef(v, D, mats, atom, leafVector, l + 1);
    return leafVector(v);
  };
  if (Array.isArray(value) || value === null || typeof value !== 'object') {
    const out = new Float64Array(D);
    add(out, val(value, level - 1));
    return out;
  }
  const s = new Float64Array(D);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    add(s, atom(k));
    add(s, val(v, level));
  }
  return matVec(mats[level], s, D);
}

/** ‖x‖₂ */
export function norm2(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}
