import { Module } from '@terramae/tensors';

/** Named child modules (`<name>.*`), like PyTorch's `nn.ModuleDict`. */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly entries = new Map<string, M>();

  /** Register `child` under `name` (no dots: the name becomes one parameter-name segment). */
  set(name: string, child: M): M {
    if (name.includes('.') || name.length === 0) throw new RangeError(`ModuleDict: name '${name}' must be non-empty and contain no '.'`);
    this.module(name, child);
    this.entries.set(name, child);
    return child;
  }

  /** The child under `name`. */
  get(name: string): M | undefined {
    return this.entries.get(name);
  }
}
