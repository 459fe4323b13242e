import { type SafetensorsDType, SAFETENSORS_DTYPES, dtypeItemSize, isSafetensorsDType, numelOf } from './dtype';
import { SafetensorsError } from './errors';

/** Where one tensor lives in a safetensors file. */
export interface SafetensorsTensorInfo {
  /** Element type. */
  dtype: SafetensorsDType;
  /** Dimensions (`[]` for a scalar). */
  shape: number[];
  /** `[begin, end)` byte range relative to the start of the data section. */
  dataOffsets: [number, number];
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  /** Tensor infos, in the order of their data in the file. */
  tensors: Map<string, SafetensorsTensorInfo>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file (`8 + N`). */
  dataStart: number;
}

/** Largest header the reader accepts (as the reference implementation: 100 MB). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

/** Key of the free-form string map in a safetensors header. */
export const SAFETENSORS_METADATA_KEY = '__metadata__';

/**
 * Read the header length N from the first 8 bytes and check it against the size of the whole
 * file (or buffer). Returns N.
 */
export function readSafetensorsHeaderLength(first8: Uint8Array, totalSize: number, label: string): number {
  if (totalSize < 8 || first8.length < 8) {
    throw new SafetensorsError(
      `${label}: ${totalSize} bytes is too short for a safetensors file (it starts with an 8-byte header length); the file is truncated or not safetensors.`,
    );
  }
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    throw new SafetensorsError(
      `${label}: header length ${n} is larger than the ${MAX_SAFETENSORS_HEADER_BYTES}-byte limit; the file is corrupt or not safetensors.`,
    );
  }
  if (n > BigInt(totalSize - 8)) {
    throw new SafetensorsError(
      `${label}: header length ${n} runs past the end of the file (${totalSize} bytes); the file is truncated or not safetensors.`,
    );
  }
  if (n < 2n) throw new SafetensorsError(`${label}: header length ${n} is too small to hold a JSON object; the file is corrupt.`);
  return Number(n);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parse and validate the JSON header of a safetensors file: JSON syntax, known dtypes, integer
 * shapes, offsets within the `dataLength`-byte data section, byte sizes equal to numel x item
 * size, and tensors covering the data section contiguously without overlap.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, dataLength: number, label: string): Omit<SafetensorsHeader, 'dataStart'> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (cause) {
    throw new SafetensorsError(`${label}: the header is not valid UTF-8; the file is corrupt or not safetensors.`, { cause });
  }
  // The format pads with spaces; tolerate NUL padding from other writers too.
  text = text.replace(/[\s\0]+$/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SafetensorsError(
      `${label}: the header is not valid JSON (${(cause as Error).message}); the file is corrupt or not safetensors.`,
      { cause },
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SafetensorsError(`${label}: the header must be a JSON object; found ${describe(json)}.`);
  }
  const metadata: Record<string, string> = {};
  const entries: [string, SafetensorsTensorInfo][] = [];
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === SAFETENSORS_METADATA_KEY) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new SafetensorsError(`${label}: "__metadata__" must be an object of strings; found ${describe(value)}.`);
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') {
          throw new SafetensorsError(`${label}: "__metadata__" entry '${k}' must be a string; found ${describe(v)}.`);
        }
        metadata[k] = v;
      }
      continue;
    }
    entries.push([name, validateInfo(name, value, dataLength, label)]);
  }
  entries.sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let cursor = 0;
  let previous = '';
  for (const [name, info] of entries) {
    const [begin, end] = info.dataOffsets;
    if (begin < cursor) {
      throw new SafetensorsError(
        `${label}: tensor '${name}' bytes [${begin}, ${end}) overlap tensor '${previous}' (which ends at ${cursor}); the header is corrupt.`,
      );
    }
    if (begin > cursor) {
      throw new SafetensorsError(
        `${label}: ${begin - cursor} unused bytes before tensor '${name}' (at ${cursor}..${begin} of the data section); tensors must cover the data contiguously, the header is corrupt.`,
      );
    }
    cursor = end;
    previous = name;
  }
  if (cursor !== dataLength) {
    throw new SafetensorsError(
      `${label}: the data section has ${dataLength} bytes but the tensors cover ${cursor}; ${dataLength - cursor} trailing bytes are unaccounted for, the file is corrupt.`,
    );
  }
  return { tensors: new Map(entries), metadata };
}

function validateInfo(name: string, value: unknown, dataLength: number, label: string): SafetensorsTensorInfo {
  const where = `${label}: tensor '${name}'`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SafetensorsError(`${where} must be described by an object {dtype, shape, data_offsets}; found ${describe(value)}.`);
  }
  const v = value as Record<string, unknown>;
  if (!isSafetensorsDType(v.dtype)) {
    throw new SafetensorsError(
      `${where} has dtype ${JSON.stringify(v.dtype)}, which is not supported (supported: ${SAFETENSORS_DTYPES.join(', ')}).`,
    );
  }
  if (!Array.isArray(v.shape) || !v.shape.every(isIndex)) {
    throw new SafetensorsError(`${where} has shape ${JSON.stringify(v.shape)}; expected an array of non-negative integers.`);
  }
  const offsets = v.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
    throw new SafetensorsError(`${where} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with 0 <= begin <= end.`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    throw new SafetensorsError(
      `${where} has data_offsets [${begin}, ${end}] beyond the ${dataLength}-byte data section; the file is truncated or the header is corrupt.`,
    );
  }
  const shape = v.shape as number[];
  const expected = numelOf(shape) * dtypeItemSize(v.dtype);
  if (end - begin !== expected) {
    throw new SafetensorsError(
      `${where} (${v.dtype} [${shape.join(', ')}]) spans ${end - begin} bytes; its shape and dtype need ${expected}.`,
    );
  }
  return { dtype: v.dtype, shape: shape.slice(), dataOffsets: [begin, end] };
}

/** One tensor to lay out in a new safetensors file. */
export interface SafetensorsLayoutEntry {
  /** Tensor name (not `__metadata__`). */
  name: string;
  /** Element type. */
  dtype: SafetensorsDType;
  /** Dimensions. */
  shape: readonly number[];
}

/** The bytes that precede the data of a new safetensors file, and where each tensor goes. */
export interface SafetensorsLayout {
  /** 8-byte length prefix + JSON header padded with spaces to a multiple of 8. */
  prefix: Uint8Array;
  /** Tensor names in the order their bytes follow the prefix, with their data offsets. */
  order: { name: string; begin: number; end: number }[];
  /** Total size of the data section. */
  dataLength: number;
}

/**
 * Lay out a safetensors file: tensors sorted by descending item size, then by name, so every
 * tensor starts at a multiple of its item size (typed-array views of the file are valid); the
 * header is padded with spaces so the data section starts at a multiple of 8.
 */
export function layoutSafetensors(entries: readonly SafetensorsLayoutEntry[], metadata: Record<string, string> | undefined, label: string): SafetensorsLayout {
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.name === SAFETENSORS_METADATA_KEY) {
      throw new SafetensorsError(`${label}: '${SAFETENSORS_METADATA_KEY}' is reserved for metadata and cannot name a tensor; rename it.`);
    }
    if (seen.has(e.name)) throw new SafetensorsError(`${label}: tensor name '${e.name}' appears twice.`);
    seen.add(e.name);
  }
  const sorted = entries
    .slice()
    .sort((a, b) => dtypeItemSize(b.dtype) - dtypeItemSize(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    const md: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') {
        throw new SafetensorsError(`${label}: metadata entry '${k}' must be a string (found ${describe(v)}); convert it with String() or JSON.stringify().`);
      }
      md[k] = v;
    }
    header[SAFETENSORS_METADATA_KEY] = md;
  }
  const order: SafetensorsLayout['order'] = [];
  let offset = 0;
  for (const e of sorted) {
    const size = numelOf(e.shape) * dtypeItemSize(e.dtype);
    header[e.name] = { dtype: e.dtype, shape: e.shape.slice(), data_offsets: [offset, offset + size] };
    order.push({ name: e.name, begin: offset, end: offset + size });
    offset += size;
  }
  // Object keys that look like array indices would be reordered by JS; order does not matter in
  // the format (offsets do), so this is harmless.
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const prefix = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(padded), true);
  prefix.set(json, 8);
  return { prefix, order, dataLength: offset };
}
