/** A fresh record without a prototype, so keys such as `__proto__` are ordinary entries. */
export function emptyRecord<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/** Define `record[key] = value` as an ordinary own, enumerable property whatever the key. */
export function setEntry<V>(record: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
