/**
 * Kernel variants, held by the Gpu (`gpu.variants`): one mechanism for every kernel that has several
 * implementations of one product (GEMM, the strided block-diagonal product). A `VariantSet` names its
 * variants and chooses one for a shape under the device's profile; `Variants` holds that profile and
 * any variant forced by a test or a bench. No module-level mutable tuning: two devices can differ.
 */

/** CPU WebGPU (SwiftShader) and real GPUs want different shapes of work. */
export type Profile = 'cpu' | 'gpu';

/** The profile for an adapter (Gpu.info): 'cpu' on fallback adapters and SwiftShader, else 'gpu'. */
export function profileFor(info: { isFallbackAdapter: boolean; architecture?: string }): Profile {
  return info.isFallbackAdapter || info.architecture === 'swiftshader' ? 'cpu' : 'gpu';
}

export interface VariantSet<V extends string, S> {
  readonly name: string;
  readonly variants: readonly V[];
  /** The variant for this shape under the profile. */
  choose(shape: S, profile: Profile): V;
  /** Whether a forced variant can run this shape (else the set's own choice runs). */
  fits(variant: V, shape: S): boolean;
}

export class Variants {
  /** 'gpu' until the front end tunes for its adapter (src/runtime/setup.ts tuneForAdapter). */
  profile: Profile = 'gpu';
  private forcedBy = new Map<string, string>();

  choose<V extends string, S>(set: VariantSet<V, S>, shape: S): V {
    const f = this.forcedBy.get(set.name) as V | undefined;
    return f !== undefined && set.fits(f, shape) ? f : set.choose(shape, this.profile);
  }

  /** Force `variant` wherever it fits (null: choose again); tests and benches. */
  force<V extends string>(set: VariantSet<V, never>, variant: V | null): void {
    if (variant === null) {
      this.forcedBy.delete(set.name);
      return;
    }
    if (!set.variants.includes(variant))
      throw new RangeError(`${set.name}: no variant '${variant}' (have ${set.variants.join(', ')})`);
    this.forcedBy.set(set.name, variant);
  }

  forced<V extends string>(set: VariantSet<V, never>): V | null {
    return (this.forcedBy.get(set.name) as V | undefined) ?? null;
  }
}
