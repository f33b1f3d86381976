/**
 * Load a shipped base model (public/models/<name>.safetensors + <name>.json) into a Transformer on
 * the GPU. The files come in through `?inline` / JSON imports (a lazy chunk in the browser and
 * worker bundles, inlined in the CLI bundle and in vitest), so every front end reads the same bytes
 * and nothing is fetched at run time.
 */
import { dataUrlBytes } from '../data/image';
import { CharVocab } from '../data/text';
import type { Gpu } from '../gpu/device';
import { SHIPPED_INFO, type ShippedInfo, type ShippedModel } from './shipped.schema';
import { loadStateDict, stateDictFromSafetensors } from './state-dict';
import { Transformer } from './transformer';

/** What a loader reads from <name>.json (the rest is the recipe and its loss curve). */
export interface ShippedMeta {
  vocab: string[];
  corpus: string;
  steps: number;
  finalValLoss: number;
  /** The exact command that trained it. */
  command: string;
}

const FILES: Record<ShippedModel, { weights: () => Promise<string>; meta: () => Promise<ShippedMeta> }> = {
  'names-tiny': {
    weights: async () => (await import('../../public/models/names-tiny.safetensors?inline')).default,
    meta: async () => (await import('../../public/models/names-tiny.json')).default,
  },
  'male-names-tiny': {
    weights: async () => (await import('../../public/models/male-names-tiny.safetensors?inline')).default,
    meta: async () => (await import('../../public/models/male-names-tiny.json')).default,
  },
  'moby-tiny': {
    weights: async () => (await import('../../public/models/moby-tiny.safetensors?inline')).default,
    meta: async () => (await import('../../public/models/moby-tiny.json')).default,
  },
};

export interface ShippedBase {
  name: ShippedModel;
  model: Transformer;
  /** The model's character vocabulary (token id = index). */
  vocab: CharVocab;
  info: ShippedInfo;
  meta: ShippedMeta;
}

/** The shipped weights in a fresh Transformer (the caller disposes it). */
export async function loadShippedModel(gpu: Gpu, name: ShippedModel): Promise<ShippedBase> {
  const files = FILES[name];
  if (!files) throw new Error(`no shipped model '${name}' (shipped: ${Object.keys(FILES).join(', ')})`);
  const info = SHIPPED_INFO[name];
  const [url, meta] = await Promise.all([files.weights(), files.meta()]);
  const vocab = new CharVocab(meta.vocab);
  const model = new Transformer(gpu, { vocab: vocab.size, spec: info.spec, seed: 0 });
  try {
    loadStateDict(model, stateDictFromSafetensors(dataUrlBytes(url), `${name}.safetensors`));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { name, model, vocab, info, meta };
}
