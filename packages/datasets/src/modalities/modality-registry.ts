import { globalRegistry } from '@terramae/tensors';
import { DatasetFormatError } from '../errors';
import type { ModalityDefinition } from './modality-definition';
import { MMEARTH_MODALITIES } from './mmearth-modalities';

const registry = globalRegistry<ModalityDefinition>('terramae.datasets.modalities', 'modality');
for (const def of Object.values(MMEARTH_MODALITIES)) {
  if (!registry.has(def.name)) registry.register(def.name, def);
}

/**
 * Register a modality (yours, or a replacement of a built-in one) so readers and writers know its
 * bands, dtype, no-data value, remap and statistics key. The registry is a process-wide
 * singleton; registering a name twice replaces the entry and warns.
 */
export function registerModality(def: ModalityDefinition): void {
  validateDefinition(def);
  registry.register(def.name, def);
}

/** The definition of a registered modality, or a {@link DatasetFormatError} listing the known ones. */
export function getModality(name: string): ModalityDefinition {
  const def = registry.get(name);
  if (!def) {
    throw new DatasetFormatError(
      `Unknown modality "${name}". Registered modalities: ${registry.names().join(', ')}. ` +
        'Register it with registerModality({...}) first.',
    );
  }
  return def;
}

/** Whether a modality name is registered. */
export function hasModality(name: string): boolean {
  return registry.has(name);
}

/** Names of every registered modality. */
export function listModalities(): string[] {
  return registry.names();
}

/** Remove a registered modality (mainly for tests). Returns whether it existed. */
export function unregisterModality(name: string): boolean {
  return registry.unregister(name);
}

function validateDefinition(def: ModalityDefinition): void {
  const where = `registerModality("${def.name}")`;
  if (!def.name) throw new DatasetFormatError('registerModality: the definition needs a non-empty name.');
  if (def.storedBands.length === 0) throw new DatasetFormatError(`${where}: storedBands is empty.`);
  if (def.kind === 'categorical') {
    if (!(def.numClasses && def.numClasses > 0)) {
      throw new DatasetFormatError(`${where}: a categorical modality needs numClasses > 0.`);
    }
    if (def.encoding === 'one-hot' && def.storedBands.length !== def.numClasses) {
      throw new DatasetFormatError(
        `${where}: a one-hot modality stores one channel per class (storedBands ${def.storedBands.length}, numClasses ${def.numClasses}).`,
      );
    }
    if (def.encoding === 'values' && def.storedBands.length !== 1) {
      throw new DatasetFormatError(`${where}: a categorical map is stored as one channel, got ${def.storedBands.length}.`);
    }
  } else {
    if (def.encoding !== 'values') throw new DatasetFormatError(`${where}: continuous modalities use encoding 'values'.`);
    if (def.bands.length !== def.storedBands.length || def.bands.some((b, i) => b !== def.storedBands[i])) {
      throw new DatasetFormatError(`${where}: for a continuous modality bands and storedBands must be the same list.`);
    }
  }
}
