/**
 * State dicts: a module's parameters by dotted name, to and from safetensors (src/data codec).
 * Loading writes into the existing parameter storage (same tensors, so an optimizer holding them
 * stays valid) and rejects missing, unexpected or mis-shaped tensors by name, changing nothing.
 */
import { readSafetensorsAll, writeSafetensors } from '../data/safetensors';
import { Linear } from './linear';
import type { Module } from './module';

export type StateDict = Record<string, { shape: number[]; data: Float32Array }>;

export async function stateDict(m: Module): Promise<StateDict> {
  const out: StateDict = {};
  for (const p of m.namedParameters())
    out[p.name] = { shape: [...p.tensor.shape], data: await p.tensor.read() };
  return out;
}

/**
 * The state dict with every structured Linear replaced by its dense W (`<path>.weight`, out × in):
 * what a dense-only consumer (the f64 reference forward, a dense export) reads.
 */
export async function denseStateDict(m: Module): Promise<StateDict> {
  const sd = await stateDict(m);
  for (const { name: path, module: mod } of m.namedModules()) {
    if (!(mod instanceof Linear) || !mod.structured) continue;
    for (const k of Object.keys(sd)) if (k.startsWith(`${path}.weight.`)) delete sd[k];
    const W = mod.structured.toDense();
    sd[`${path}.weight`] = { shape: [...W.shape], data: await W.read() };
    W.dispose();
  }
  return sd;
}

export function loadStateDict(m: Module, sd: StateDict): void {
  const params = m.namedParameters();
  const names = new Set(params.map((p) => p.name));
  const missing = params.filter((p) => !(p.name in sd)).map((p) => p.name);
  const extra = Object.keys(sd).filter((k) => !names.has(k));
  if (missing.length || extra.length)
    throw new Error(
      `state dict does not match the model: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.join(', ')}` : ''}`,
    );
  for (const p of params) {
    const s = sd[p.name];
    if (s.shape.length !== p.tensor.shape.length || s.shape.some((d, i) => d !== p.tensor.shape[i]))
      throw new Error(`state dict '${p.name}' has shape [${s.shape}], the model [${p.tensor.shape}]`);
  }
  // Commands recorded before this point run first (queue writes would overtake them).
  params[0]?.tensor.gpu.flush();
  for (const p of params) p.tensor.gpu.write(p.tensor.buffer, sd[p.name].data);
}

export function stateDictToSafetensors(sd: StateDict, metadata?: Record<string, string>): Uint8Array {
  const tensors: Parameters<typeof writeSafetensors>[0] = {};
  for (const [name, t] of Object.entries(sd)) {
    const cols = t.shape[t.shape.length - 1];
    tensors[name] = { rows: t.data.length / cols, cols, data: t.data, shape: t.shape, dtype: 'F32' };
  }
  return writeSafetensors(tensors, metadata, 'model.safetensors');
}

export function stateDictFromSafetensors(bytes: Uint8Array, fileName?: string): StateDict {
  return readSafetensorsAll(bytes, fileName);
}
