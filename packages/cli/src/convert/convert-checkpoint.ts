import { existsSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { convertMMEarthCheckpoint } from '@terramae/backbones';
import { loadPthStateDict, loadSafetensorsRaw, rawToTensor, saveSafetensors, tensorToRaw, type RawTensor } from '@terramae/tensors';
import { CHECKPOINT_FILES } from '@terramae/trainer';
import { UsageError } from '../errors';
import { savePth } from './pth-writer';

/** Options of {@link convertCheckpoint}. */
export interface ConvertOptions {
  /** The `.pth` is an MMEarth sparse FCMAE checkpoint: convert its encoder to dense ConvNeXt V2 keys and layouts. */
  readonly mmearthSparse?: boolean;
  /** With `mmearthSparse`: upstream ConvNeXt V2 FCMAE stem naming (`downsample_layers.0` → `stem_orig`). */
  readonly upstreamStem?: boolean;
  /** Key (or `a/b` path) of the state dict inside a `.pth` training checkpoint (default: auto). */
  readonly key?: string;
  /** Keep only tensors whose name starts with this prefix, and drop the prefix (e.g. `backbone.`). */
  readonly only?: string;
  /** Prepend this to every name (after `only`). */
  readonly addPrefix?: string;
}

/** What {@link convertCheckpoint} wrote. */
export interface ConvertResult {
  readonly input: string;
  readonly output: string;
  readonly tensors: number;
  readonly parameters: number;
  /** Input keys left out (MMEarth conversion, `only`). */
  readonly dropped: readonly string[];
}

type Format = 'pth' | 'safetensors' | 'checkpoint';

function formatOf(path: string, role: 'input' | 'output'): Format {
  if (role === 'input' && existsSync(path) && statSync(path).isDirectory()) {
    if (existsSync(join(path, CHECKPOINT_FILES.weights))) return 'checkpoint';
    throw new UsageError(`${path} is a folder without ${CHECKPOINT_FILES.weights}; pass a terramae checkpoint folder, a .pth or a .safetensors file.`);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.safetensors') return 'safetensors';
  if (ext === '.pth' || ext === '.pt' || ext === '.bin' || ext === '.ckpt') return 'pth';
  throw new UsageError(`${path}: cannot tell the format from the extension '${ext || '(none)'}'; use .pth/.pt or .safetensors${role === 'input' ? ', or a checkpoint folder' : ''}.`);
}

function rename(tensors: Record<string, RawTensor>, options: ConvertOptions, dropped: string[]): Record<string, RawTensor> {
  const out: Record<string, RawTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    let key = name;
    if (options.only !== undefined) {
      if (!name.startsWith(options.only)) {
        dropped.push(name);
        continue;
      }
      key = name.slice(options.only.length);
    }
    out[`${options.addPrefix ?? ''}${key}`] = t;
  }
  if (Object.keys(out).length === 0) {
    throw new UsageError(`no tensor name starts with '${options.only}'; names look like: ${Object.keys(tensors).slice(0, 5).join(', ')}`);
  }
  return out;
}

/**
 * Convert between PyTorch `.pth` and safetensors, keeping names, dtypes, shapes and bytes exactly
 * (the weights of a terramae checkpoint folder can be exported too). With `mmearthSparse`, an
 * MMEarth sparse FCMAE checkpoint's encoder is mapped to the dense ConvNeXt V2 state dict (keys and
 * Minkowski kernel layouts; the decoder and heads are dropped and listed).
 */
export function convertCheckpoint(input: string, output: string, options: ConvertOptions = {}): ConvertResult {
  if (!existsSync(input)) throw new UsageError(`${input}: no such file or folder.`);
  const from = formatOf(input, 'input');
  const to = formatOf(output, 'output');
  const dropped: string[] = [];
  let tensors: Record<string, RawTensor>;
  let metadata: Record<string, string> = { format: 'pt', source: basename(input) };
  if (from === 'pth') {
    const key = options.key ? options.key.split('/') : undefined;
    tensors = loadPthStateDict(input, key ? { key } : {});
  } else {
    const file = from === 'checkpoint' ? join(input, CHECKPOINT_FILES.weights) : input;
    const loaded = loadSafetensorsRaw(file);
    tensors = loaded.tensors;
    metadata = { ...loaded.metadata, source: basename(input) };
  }
  if (options.mmearthSparse) {
    const inputs = Object.fromEntries(Object.entries(tensors).map(([k, raw]) => [k, rawToTensor(raw, k)]));
    let converted: ReturnType<typeof convertMMEarthCheckpoint>;
    try {
      converted = convertMMEarthCheckpoint(inputs, { ...(options.upstreamStem ? { upstreamStem: true } : {}) });
    } finally {
      for (const t of Object.values(inputs)) t.dispose();
    }
    try {
      dropped.push(...converted.dropped);
      tensors = Object.fromEntries(Object.entries(converted.stateDict).map(([k, t]) => [k, tensorToRaw(t)]));
    } finally {
      for (const t of Object.values(converted.stateDict)) t.dispose();
    }
    metadata = { ...metadata, converted: 'mmearth-sparse-to-dense' };
  } else if (options.upstreamStem) {
    throw new UsageError('--upstream-stem applies with --mmearth-sparse only.');
  }
  if (options.only !== undefined || options.addPrefix !== undefined) tensors = rename(tensors, options, dropped);
  if (to === 'pth') savePth(output, tensors);
  else saveSafetensors(output, tensors, metadata);
  const parameters = Object.values(tensors).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  return { input, output, tensors: Object.keys(tensors).length, parameters, dropped };
}
