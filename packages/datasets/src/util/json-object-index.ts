import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { DatasetFileError } from '../errors';
import { parseJsonNonFinite } from './json-nonfinite';

/**
 * Random access to the entries of a large top-level JSON object on disk (MMEarth's
 * `*_tile_info.json` has one entry per tile: 1.2 M entries, hundreds of MB, more than one
 * JavaScript string can hold). Small files are parsed at once; large ones are scanned once for
 * the byte range of every entry, and entries are parsed when asked for.
 */
export class JsonObjectIndex {
  private constructor(
    /** The file. */
    readonly path: string,
    private readonly parsed: Record<string, unknown> | undefined,
    private readonly ranges: Map<string, readonly [number, number]> | undefined,
  ) {}

  /**
   * Open a JSON file whose top level is an object.
   * @param eagerBelowBytes - files smaller than this are parsed in one go (default 64 MiB)
   */
  static open(path: string, eagerBelowBytes = 64 * 1024 * 1024): JsonObjectIndex {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (cause) {
      throw new DatasetFileError(path, `Cannot open ${path}: ${(cause as Error).message}`, { cause });
    }
    try {
      const size = fstatSync(fd).size;
      if (size < eagerBelowBytes) {
        const text = readFileSync(fd, 'utf8');
        let value: unknown;
        try {
          value = parseJsonNonFinite(text);
        } catch (cause) {
          throw new DatasetFileError(path, `${path} is not valid JSON: ${(cause as Error).message}`, { cause });
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          throw new DatasetFileError(path, `${path} must hold a JSON object at the top level.`);
        }
        return new JsonObjectIndex(path, value as Record<string, unknown>, undefined);
      }
      return new JsonObjectIndex(path, undefined, scanTopLevel(fd, size, path));
    } finally {
      closeSync(fd);
    }
  }

  /** Number of entries. */
  get size(): number {
    return this.parsed ? Object.keys(this.parsed).length : (this.ranges as Map<string, unknown>).size;
  }

  /** Whether the object has this key. */
  has(key: string): boolean {
    return this.parsed ? Object.prototype.hasOwnProperty.call(this.parsed, key) : (this.ranges as Map<string, unknown>).has(key);
  }

  /** All keys, in file order. */
  keys(): string[] {
    return this.parsed ? Object.keys(this.parsed) : [...(this.ranges as Map<string, unknown>).keys()];
  }

  /** The parsed value of one entry, or `undefined`. */
  get(key: string): unknown {
    if (this.parsed) return Object.prototype.hasOwnProperty.call(this.parsed, key) ? this.parsed[key] : undefined;
    const range = (this.ranges as Map<string, readonly [number, number]>).get(key);
    if (!range) return undefined;
    const [start, end] = range;
    const buf = Buffer.alloc(end - start);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buf, 0, buf.length, start);
    } finally {
      closeSync(fd);
    }
    try {
      return parseJsonNonFinite(buf.toString('utf8'));
    } catch (cause) {
      throw new DatasetFileError(this.path, `${this.path}: entry "${key}" is not valid JSON.`, { cause });
    }
  }
}

const CHUNK = 4 * 1024 * 1024;

/** One pass over the file: byte range of each top-level value, keyed by its (decoded) key. */
function scanTopLevel(fd: number, size: number, path: string): Map<string, readonly [number, number]> {
  const ranges = new Map<string, readonly [number, number]>();
  const buf = Buffer.alloc(CHUNK);
  let depth = 0;
  let inString = false;
  let escape = false;
  // state at depth 1: 'key' waiting for a key, 'colon', 'value' inside a value
  let state: 'key' | 'colon' | 'value' = 'key';
  let keyBytes: number[] | null = null;
  let currentKey = '';
  let valueStart = -1;
  let started = false;
  let pos = 0;
  while (pos < size) {
    const n = readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
    if (n <= 0) break;
    for (let i = 0; i < n; i++) {
      const c = buf[i] as number;
      const abs = pos + i;
      if (inString) {
        if (keyBytes) keyBytes.push(c);
        if (escape) escape = false;
        else if (c === 92) escape = true;
        else if (c === 34) {
          inString = false;
          if (keyBytes) {
            currentKey = JSON.parse(Buffer.from(keyBytes).toString('utf8')) as string;
            keyBytes = null;
            state = 'colon';
          }
        }
        continue;
      }
      if (!started) {
        if (c === 123) {
          started = true;
          depth = 1;
        } else if (c > 32) {
          throw new DatasetFileError(path, `${path} must hold a JSON object at the top level.`);
        }
        continue;
      }
      if (depth === 1 && state === 'key') {
        if (c === 34) {
          inString = true;
          keyBytes = [c];
        } else if (c === 125) depth = 0;
        continue;
      }
      if (depth === 1 && state === 'colon') {
        if (c === 58) {
          state = 'value';
          valueStart = -1;
        }
        continue;
      }
      // inside a value
      if (valueStart < 0) {
        if (c <= 32) continue;
        valueStart = abs;
      }
      if (c === 34) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (depth === 1) {
          // end of the top-level object closes the last value
          ranges.set(currentKey, [valueStart, abs]);
          depth = 0;
          state = 'key';
          continue;
        }
        depth--;
      } else if (c === 44 && depth === 1) {
        ranges.set(currentKey, [valueStart, abs]);
        state = 'key';
      }
    }
    pos += n;
  }
  if (depth !== 0) throw new DatasetFileError(path, `${path} ends before its top-level object is closed (truncated file?).`);
  return ranges;
}
