import { globalRegistry, TerramaeError } from '@terramae/tensors';
import type { Backbone, BackboneMetadata } from './types';

/** `createBackbone` was asked for a name nobody registered. */
export class UnknownBackboneError extends TerramaeError {}

/** A registry entry: a factory and its metadata. */
export interface BackboneEntry<O = Record<string, unknown>> {
  readonly name: string;
  readonly create: (options?: O) => Backbone;
  readonly metadata: BackboneMetadata;
}

const store = () => globalRegistry<BackboneEntry<never>>('terramae.backbones.registry', 'backbone');

/** Register a backbone factory. A second registration of a name replaces the first with a warning. */
export function registerBackbone<O>(entry: BackboneEntry<O>): void {
  store().register(entry.name, entry as unknown as BackboneEntry<never>);
}

/** Names and metadata of every registered backbone. */
export function listBackbones(): { name: string; metadata: BackboneMetadata }[] {
  return [...store().values()].map((e) => ({ name: e.name, metadata: e.metadata }));
}

/** Create a registered backbone by name. */
export function createBackbone(name: string, options?: Record<string, unknown>): Backbone {
  const entry = store().get(name);
  if (!entry) {
    const known = store().names().join(', ') || '(none registered)';
    throw new UnknownBackboneError(`Unknown backbone '${name}'. Registered backbones: ${known}. Register your own with registerBackbone().`);
  }
  return (entry.create as (o?: Record<string, unknown>) => Backbone)(options);
}
