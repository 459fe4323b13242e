/**
 * A named registry stored on `globalThis` under a `Symbol.for` key, so that two copies of this
 * package loaded in one process (ESM and CJS, or two versions) share one registry. Registering a
 * name twice replaces the entry and prints a warning.
 */
export interface GlobalRegistry<T> {
  /** Add or replace an entry. */
  register(name: string, value: T): void;
  /** The entry, or `undefined`. */
  get(name: string): T | undefined;
  /** Whether the name is registered. */
  has(name: string): boolean;
  /** All names, in registration order. */
  names(): string[];
  /** Remove an entry (returns whether it existed). */
  unregister(name: string): boolean;
}

/**
 * The process-wide registry for `key` (created on first use).
 * @param key - unique key, e.g. `terramae.datasets.modalities`
 * @param kind - what the entries are, for the duplicate warning (e.g. `modality`)
 */
export function globalRegistry<T>(key: string, kind: string): GlobalRegistry<T> {
  const symbol = Symbol.for(key);
  const holder = globalThis as unknown as Record<symbol, Map<string, T> | undefined>;
  let map = holder[symbol];
  if (!map) {
    map = new Map<string, T>();
    holder[symbol] = map;
  }
  const entries = map;
  return {
    register(name, value) {
      if (entries.has(name)) {
        console.warn(`[terramae] ${kind} "${name}" is registered twice; the later registration replaces the earlier one.`);
      }
      entries.set(name, value);
    },
    get: (name) => entries.get(name),
    has: (name) => entries.has(name),
    names: () => [...entries.keys()],
    unregister: (name) => entries.delete(name),
  };
}
