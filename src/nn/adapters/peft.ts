/**
 * PEFT-loadable exports (huggingface/peft's on-disk format):
 * - Every adapter with a LoRA form (LoRA, rsLoRA; SLoRA / NLoRA / IntTune and LoRA-XS / LoRA-SB with
 *   the middle matrix folded into A; PiSSA / OLoRA / NLoRA-nystrom through the rank-2r conversion on the
 *   ORIGINAL W) → `adapter_model.safetensors` with keys `base_model.model.<module path>.lora_A.weight`
 *   [r, in] and `.lora_B.weight` [out, r] (no adapter name in the key), and `adapter_config.json`
 *   with peft_type "LORA", r, lora_alpha, target_modules, use_rslora, init_lora_weights, bias "none",
 *   fan_in_fan_out false, task_type, base_model_name_or_path, … . PEFT computes
 *   W + (lora_alpha / r)·B·A (lora_alpha / √r with use_rslora), which is our W + s·B·A.
 * - HiRA / Compacter / full (no LoRA form) → `model.safetensors`: the merged weights under the base
 *   model's own key names (`<module path>.weight`, plus every other tensor of the base state dict given).
 */
import { readSafetensorsAll, writeSafetensors } from '../../data/safetensors';
import type { Adapter, LoraForm } from './adapter';

export interface ExportLayer {
  /** Module path in the base model (blocks.0.attn.q_proj; a bare layer: e.g. "linear"). */
  path: string;
  adapter: Adapter;
}

export interface ExportOptions {
  baseModelName: string;
  /** PEFT task_type ("CAUSAL_LM" for the transformer; null for a bare regression layer). */
  taskType: string | null;
  /** The base model's full state dict (merged exports write every tensor, the adapted weights replaced). */
  baseState?: Record<string, { shape: number[]; data: ArrayLike<number> }>;
}

export type ExportFiles = Record<string, Uint8Array | string>;

export async function exportAdapter(layers: ExportLayer[], o: ExportOptions): Promise<ExportFiles> {
  if (layers.length === 0) throw new Error('export: no adapted layers');
  const forms = await Promise.all(layers.map((l) => l.adapter.loraForm()));
  const method = layers[0].adapter.method;
  if (forms.every((f) => f !== null)) return peftLora(layers, forms as LoraForm[], o, method);
  // merged weights under the base model's key names
  const tensors: Parameters<typeof writeSafetensors>[0] = {};
  const merged = new Map<string, Float64Array>();
  for (const l of layers) merged.set(`${l.path}.weight`, await l.adapter.effectiveWeight());
  for (const [name, t] of Object.entries(o.baseState ?? {})) {
    if (merged.has(name)) continue;
    const cols = t.shape[t.shape.length - 1] ?? 1;
    tensors[name] = { rows: t.data.length / cols, cols, data: t.data, shape: t.shape };
  }
  for (const l of layers) {
    const a = l.adapter;
    tensors[`${l.path}.weight`] = {
      rows: a.outFeatures,
      cols: a.inFeatures,
      data: merged.get(`${l.path}.weight`) as Float64Array,
    };
  }
  return {
    'model.safetensors': writeSafetensors(
      tensors,
      { format: 'pt', adapter: method, merged: 'true' },
      'model.safetensors',
    ),
  };
}

function peftLora(layers: ExportLayer[], forms: LoraForm[], o: ExportOptions, method: string): ExportFiles {
  const { r, alpha, rslora } = forms[0];
  forms.forEach((f, i) => {
    if (f.r !== r || f.alpha !== alpha || f.rslora !== rslora)
      throw new Error(
        `export: layer ${layers[i].path} has r=${f.r}, α=${f.alpha}; the first has r=${r}, α=${alpha} (one config per file)`,
      );
  });
  const tensors: Parameters<typeof writeSafetensors>[0] = {};
  layers.forEach((l, i) => {
    const f = forms[i];
    const a = l.adapter;
    tensors[`base_model.model.${l.path}.lora_A.weight`] = { rows: f.r, cols: a.inFeatures, data: f.A };
    tensors[`base_model.model.${l.path}.lora_B.weight`] = { rows: a.outFeatures, cols: f.r, data: f.B };
  });
  const targetModules = [...new Set(layers.map((l) => l.path.split('.').pop() as string))].sort();
  const config = {
    peft_type: 'LORA',
    task_type: o.taskType,
    base_model_name_or_path: o.baseModelName,
    r,
    lora_alpha: alpha,
    target_modules: targetModules,
    use_rslora: rslora,
    // the file is a plain LoRA on the original W whatever the init was (PEFT saves converted PiSSA / OLoRA so)
    init_lora_weights: true,
    bias: 'none',
    fan_in_fan_out: false,
    lora_dropout: 0,
    modules_to_save: null,
    inference_mode: true,
    use_dora: false,
    rank_pattern: {},
    alpha_pattern: {},
    layers_to_transform: null,
    revision: null,
  };
  return {
    'adapter_model.safetensors': writeSafetensors(
      tensors,
      { format: 'pt', adapter: method },
      'adapter_model.safetensors',
    ),
    'adapter_config.json': `${JSON.stringify(config, null, 2)}\n`,
  };
}

/**
 * Apply exported files to base weights as PEFT would (W + (α/r)·B·A, α/√r with use_rslora), or take
 * the merged weights — the round-trip check. Returns the adapted weight of each path.
 */
export function applyExport(
  files: ExportFiles,
  base: Record<string, { out: number; in: number; weight: ArrayLike<number> }>,
): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  if (files['model.safetensors']) {
    const sd = readSafetensorsAll(files['model.safetensors'] as Uint8Array);
    for (const path of Object.keys(base)) out[path] = Float64Array.from(sd[`${path}.weight`].data);
    return out;
  }
  const cfg = JSON.parse(files['adapter_config.json'] as string) as {
    r: number;
    lora_alpha: number;
    use_rslora: boolean;
  };
  const s = cfg.use_rslora ? cfg.lora_alpha / Math.sqrt(cfg.r) : cfg.lora_alpha / cfg.r;
  const sd = readSafetensorsAll(files['adapter_model.safetensors'] as Uint8Array);
  for (const [path, b] of Object.entries(base)) {
    const A = sd[`base_model.model.${path}.lora_A.weight`];
    const B = sd[`base_model.model.${path}.lora_B.weight`];
    if (!A || !B) throw new Error(`export: no lora_A / lora_B for ${path}`);
    const r = A.shape[0];
    const w = Float64Array.from(b.weight);
    for (let i = 0; i < b.out; i++)
      for (let k = 0; k < r; k++) {
        const bik = s * B.data[i * r + k];
        for (let j = 0; j < b.in; j++) w[i * b.in + j] += bik * A.data[k * b.in + j];
      }
    out[path] = w;
  }
  return out;
}
