import { SafetensorsError } from './errors';
import type { RawTensor } from './raw-tensor';
import { emptyRecord, setEntry } from './record';
import { type SafetensorsInputs, describeInput, inputBytes, inputEntries } from './safetensors-input';
import { layoutSafetensors, parseSafetensorsHeader, readSafetensorsHeaderLength } from './safetensors-header';

/** The content of a safetensors buffer. */
export interface ParsedSafetensors {
  /** Tensors by name, in data order; their `bytes` are views into the parsed buffer (no copy). */
  tensors: Record<string, RawTensor>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

/**
 * Parse a whole safetensors file held in memory. The header is validated as by
 * {@link SafetensorsFile.open}; tensor bytes are views into `bytes` (unaligned ones included, so
 * use {@link rawToTypedArray}, which copies when needed). `label` names the buffer in errors.
 */
export function parseSafetensors(bytes: Uint8Array, label = 'safetensors buffer'): ParsedSafetensors {
  const n = readSafetensorsHeaderLength(bytes.subarray(0, 8), bytes.length, label);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n, label);
  const tensors = emptyRecord<RawTensor>();
  for (const [name, info] of header.tensors) {
    const [begin, end] = info.dataOffsets;
    setEntry(tensors, name, { dtype: info.dtype, shape: info.shape.slice(), bytes: bytes.subarray(8 + n + begin, 8 + n + end) });
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Serialise tensors (tf.Tensors, raw tensors or typed arrays) and optional string metadata to the
 * bytes of a safetensors file: tensors sorted by descending item size then name (aligned views),
 * header padded with spaces to a multiple of 8.
 */
export function serializeSafetensors(tensors: SafetensorsInputs, metadata?: Record<string, string>, label = 'safetensors buffer'): Uint8Array {
  const entries = inputEntries(tensors);
  const layout = layoutSafetensors(
    entries.map(([name, input]) => ({ name, ...describeInput(input, name, label) })),
    metadata,
    label,
  );
  const out = new Uint8Array(layout.prefix.length + layout.dataLength);
  out.set(layout.prefix, 0);
  const byName = new Map(entries);
  for (const { name, begin, end } of layout.order) {
    const bytes = inputBytes(byName.get(name)!, name, label);
    if (bytes.length !== end - begin) {
      throw new SafetensorsError(`${label}: tensor '${name}' produced ${bytes.length} bytes; expected ${end - begin}.`);
    }
    out.set(bytes, layout.prefix.length + begin);
  }
  return out;
}
