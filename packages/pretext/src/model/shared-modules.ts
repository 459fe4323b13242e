import { Module } from '@terramae/tensors';
import type { SharedModules } from '../api/task';

/**
 * The modules tasks share (a shared decoder), created once by the first task that asks and
 * registered as children under their key, so their parameters belong to the model exactly once
 * (named `shared.<key>.*` in the composite model).
 */
export class SharedModuleStore extends Module implements SharedModules {
  private readonly byKey = new Map<string, Module>();

  /** The module under `key`, created by `create` on first use. Keys must not contain dots. */
  getOrCreate<M extends Module>(key: string, create: () => M): M {
    const existing = this.byKey.get(key);
    if (existing) return existing as M;
    if (key.includes('.') || key.length === 0) throw new RangeError(`SharedModules: key '${key}' must be non-empty and contain no '.' (it becomes a parameter-name segment)`);
    const made = this.module(key, create());
    this.byKey.set(key, made);
    return made;
  }

  /** The module under `key`, if one was created. */
  get(key: string): Module | undefined {
    return this.byKey.get(key);
  }

  /** Keys of the modules created so far. */
  keys(): string[] {
    return [...this.byKey.keys()];
  }
}
