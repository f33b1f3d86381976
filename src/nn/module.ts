/**
 * Module: a tree of named parameters in PyTorch's dotted paths (`blocks.0.attn.q_proj.weight`),
 * the keys of every safetensors file the project writes. Parameters are trainable leaf tensors
 * owned by their module (kept past any tidy(); dispose() frees them).
 */
import type { Tensor } from '../tensor/tensor';
import type { NamedParam } from './optim/optimizer';

export abstract class Module {
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownChildren = new Map<string, Module>();
  /** Tensors the module keeps that are not parameters (masks, selection matrices). */
  private readonly ownBuffers: Tensor[] = [];

  protected param(name: string, t: Tensor): Tensor {
    if (this.ownParams.has(name) || this.ownChildren.has(name))
      throw new Error(`a parameter or child named '${name}' already exists`);
    t.trainable().keep();
    this.ownParams.set(name, t);
    return t;
  }

  protected child<M extends Module>(name: string, m: M): M {
    if (this.ownParams.has(name) || this.ownChildren.has(name))
      throw new Error(`a parameter or child named '${name}' already exists`);
    this.ownChildren.set(name, m);
    return m;
  }

  protected buffer(t: Tensor): Tensor {
    this.ownBuffers.push(t.keep());
    return t;
  }

  /** Every parameter with its dotted path, in registration order (depth first). */
  namedParameters(prefix = ''): NamedParam[] {
    const out: NamedParam[] = [];
    for (const [n, t] of this.ownParams) out.push({ name: prefix + n, tensor: t });
    for (const [n, c] of this.ownChildren) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** This module and every descendant with its dotted path ('' for this one), depth first. */
  namedModules(prefix = ''): Array<{ name: string; module: Module }> {
    const out: Array<{ name: string; module: Module }> = [{ name: prefix.replace(/\.$/, ''), module: this }];
    for (const [n, c] of this.ownChildren) out.push(...c.namedModules(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map((p) => p.tensor);
  }

  /** Stored numbers. */
  numParams(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  dispose(): void {
    for (const t of this.ownParams.values()) t.dispose();
    for (const t of this.ownBuffers) t.dispose();
    for (const c of this.ownChildren.values()) c.dispose();
    this.ownParams.clear();
    this.ownChildren.clear();
    this.ownBuffers.length = 0;
  }
}
