/**
 * Adapters (ALGORITHMS.md §1), one file per method family, and `createAdapter` to build one from a
 * spec around a base Linear's weights. `applyAdapters` wraps the targeted Linear layers of a model.
 */
import type { Tensor } from '../../tensor/tensor';
import type { Adapter, AdapterContext, AdapterSpec, BaseLinear } from './adapter';
import { CompacterAdapter } from './compacter';
import { FullAdapter } from './full';
import { HiraAdapter } from './hira';
import { LoraAdapter } from './lora';
import { createLoraXs } from './loraxs';
import { createNlora } from './nlora';
import { createOlora } from './olora';
import { createPissa } from './pissa';

export * from './adapter';

export async function createAdapter(
  gpu: Tensor['gpu'],
  base: BaseLinear,
  spec: AdapterSpec,
  ctx: AdapterContext,
): Promise<Adapter> {
  switch (spec.adapter) {
    case 'lora':
    case 'rslora':
      return new LoraAdapter(gpu, base, spec, ctx);
    case 'pissa':
      return createPissa(gpu, base, spec, ctx);
    case 'olora':
      return createOlora(gpu, base, spec, ctx);
    case 'slora':
    case 'nlora':
    case 'inttune':
      return createNlora(gpu, base, spec, ctx);
    case 'lora-xs':
    case 'lora-sb':
      return createLoraXs(gpu, base, spec, ctx);
    case 'hira':
      return new HiraAdapter(gpu, base, spec, ctx);
    case 'compacter':
      return new CompacterAdapter(gpu, base, spec, ctx);
    case 'full':
      return new FullAdapter(gpu, base);
    default:
      throw new Error(`unknown adapter '${(spec as { adapter: string }).adapter}'`);
  }
}

/**
 * Trainable parameters of one adapted out × in layer, from the formulas (the tests check the modules
 * agree), not counting what the layers of a model share (`sharedTrainable`).
 */
export function trainableFormula(spec: AdapterSpec, out: number, inp: number): number {
  const r = spec.rank;
  switch (spec.adapter) {
    case 'lora':
    case 'rslora':
    case 'pissa':
    case 'olora':
    case 'hira':
      return r * (out + inp);
    case 'slora':
    case 'nlora':
      return r * (out + inp) + r * r;
    case 'inttune':
    case 'lora-xs':
    case 'lora-sb':
      return r * r;
    case 'compacter':
      return out + inp;
    case 'full':
      return out * inp;
  }
}

/** Trainable parameters shared by every adapted layer of a model: Compacter's A_i (n³), else 0. */
export function sharedTrainable(spec: AdapterSpec): number {
  return spec.adapter === 'compacter' ? spec.rank ** 3 : 0;
}

/** A model's trainable parameters with `spec` on layers of these [out, in] shapes. */
export function modelTrainable(spec: AdapterSpec, shapes: Array<[number, number]>): number {
  return sharedTrainable(spec) + shapes.reduce((a, [o, i]) => a + trainableFormula(spec, o, i), 0);
}
