import { basename } from 'node:path';
import { type PthStateDictOptions, PthFile } from './pth-file';
import { saveSafetensors } from './safetensors-io';

/** Options of {@link convertPthToSafetensors}. */
export interface ConvertPthOptions extends PthStateDictOptions {
  /**
   * Metadata to store; merged over the default `{format: 'pt', source: <input file name>,
   * source_key: <key path, when the state dict was nested>}`.
   */
  metadata?: Record<string, string>;
}

/** What {@link convertPthToSafetensors} wrote. */
export interface ConvertPthResult {
  /** Tensor names written. */
  names: string[];
  /** Where the state dict was found in the checkpoint (`[]` for a bare state dict). */
  keyPath: string[];
}

/**
 * Convert the state dict of a PyTorch `.pth` checkpoint to a safetensors file, keeping every
 * name, dtype (`F16`/`BF16`/`I64`... included), shape and byte exactly (views and strided
 * tensors are written contiguous). The output is written atomically. No TF.js tensor is created.
 */
export function convertPthToSafetensors(inPath: string, outPath: string, options: ConvertPthOptions = {}): ConvertPthResult {
  const file = PthFile.open(inPath);
  try {
    const { keyPath, refs } = file.stateDictRefs(options);
    const tensors = new Map<string, ReturnType<PthFile['readTensor']>>();
    for (const [name, ref] of refs) tensors.set(name, file.readTensor(ref, name));
    const metadata: Record<string, string> = { format: 'pt', source: basename(inPath) };
    if (keyPath.length > 0) metadata.source_key = keyPath.join('/');
    saveSafetensors(outPath, tensors, { ...metadata, ...options.metadata });
    return { names: [...tensors.keys()], keyPath };
  } finally {
    file.close();
  }
}
