/**
 * A name → value registry stored on `globalThis` under a well-known symbol, so every copy of a
 * package in one process (ESM and CJS builds, duplicated installs) shares it. Registering a name
 * twice warns and the later registration wins, like TF.js's kernel registry.
 *
 * @param key global symbol name, e.g. `terramae.backbones.registry`.
 * @param kind what the entries are, for the duplicate warning (e.g. `backbone`).
 * @param initial entries to seed the registry with when this process creates it.
 */
export function globalRegistry<T>(key: string, kind: string, initial: Iterable<readonly [string, T]> = []): GlobalRegistry<T> {
  const g = globalThis as unknown as Record<symbol, Map<string, T> | undefined>;
  const symbol = Symbol.for(key);
  const map = (g[symbol] ??= new Map(initial));
  return {
    register(name, value) {
      if (map.has(name)) console.warn(`terramae: ${kind} "${name}" is registered twice; the later registration wins`);
      map.set(name, value);
    },
    get: (name) => map.get(name),
    has: (name) => map.has(name),
    unregister: (name) => map.delete(name),
    names: () => [...map.keys()],
    values: () => [...map.values()],
  };
}

/** A shared registry made by {@link globalRegistry}. */
export interface GlobalRegistry<T> {
  /** Add or (with a warning) replace an entry. */
  register(name: string, value: T): void;
  get(name: string): T | undefined;
  has(name: string): boolean;
  /** Remove an entry; returns whether it existed. */
  unregister(name: string): boolean;
  /** Registered names, in registration order. */
  names(): string[];
  values(): T[];
}
