/**
 * `targets`: which Linear layers of a model get an adapter — a list of module-name suffixes
 * (["q_proj", "v_proj"] matches `blocks.0.attn.q_proj`, …, as PEFT's target_modules) or "all"
 * (every dense Linear except the output head). The base layer's weights are read back, the adapter is
 * built around them and installed as `linear.adapter`; the base parameters are left as they are
 * (the fine-tune optimizer takes `adapterParameters`, never the model's own).
 */
import type { Tensor } from '../../tensor/tensor';
import { Linear } from '../linear';
import type { Module } from '../module';
import type { NamedParam } from '../optim/optimizer';
import type { Adapter, AdapterContext, AdapterSpec } from './adapter';
import { createAdapter } from './index';

export type Targets = string[] | 'all';

export interface AdaptedLayer {
  /** Dotted module path, e.g. blocks.0.attn.q_proj. */
  path: string;
  linear: Linear;
  adapter: Adapter;
}

const HEAD = /(^|\.)(lm_head|head)$/;

export function targetLinears(model: Module, targets: Targets): Array<{ path: string; linear: Linear }> {
  const found = model
    .namedModules()
    .filter((m): m is { name: string; module: Linear } => m.module instanceof Linear)
    .filter((m) =>
      targets === 'all' ? !HEAD.test(m.name) : targets.some((t) => m.name === t || m.name.endsWith(`.${t}`)),
    )
    .map((m) => ({ path: m.name, linear: m.module }));
  if (found.length === 0)
    throw new Error(`targets ${JSON.stringify(targets)} match no Linear layer of the model`);
  return found;
}

export async function applyAdapters(
  model: Module,
  spec: AdapterSpec,
  targets: Targets,
  ctx: AdapterContext,
  /** LoRA-SB: the accumulated gradient of each target's weight, by path. */
  grads?: Record<string, Float64Array>,
): Promise<AdaptedLayer[]> {
  const layers = targetLinears(model, targets);
  const out: AdaptedLayer[] = [];
  // one map per model: Compacter's A_i are shared by all its layers
  const shared = ctx.shared ?? new Map<string, Tensor>();
  for (const { path, linear } of layers) {
    if (!linear.weight)
      throw new Error(
        `targets: ${path} has a structured weight (${linear.spec.family}); adapters wrap dense Linear layers`,
      );
    if (linear.adapter) throw new Error(`targets: ${path} already has an adapter`);
    const weight = await linear.weight.read();
    const bias = linear.bias ? await linear.bias.read() : null;
    const adapter = await createAdapter(
      linear.weight.gpu as Tensor['gpu'],
      { out: linear.outFeatures, in: linear.inFeatures, weight, bias },
      spec,
      { ...ctx, shared, grad: grads?.[path] ?? ctx.grad },
    );
    linear.adapter = adapter;
    out.push({ path, linear, adapter });
  }
  return out;
}

/** The adapters' trainable parameters with PEFT-style dotted names (<path>.lora_A, …). */
export function adapterParameters(layers: AdaptedLayer[]): NamedParam[] {
  return layers.flatMap((l) => l.adapter.namedParameters(`${l.path}.`));
}

export function removeAdapters(layers: AdaptedLayer[]): void {
  for (const l of layers) {
    l.linear.adapter = null;
    l.adapter.dispose();
  }
}
