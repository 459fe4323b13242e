import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { TerramaeError } from '../backend/errors';
import { SafetensorsError } from './errors';
import type { RawTensor } from './raw-tensor';
import { emptyRecord, setEntry } from './record';
import { SafetensorsFile } from './safetensors-file';
import { type SafetensorsInputs, describeInput, inputBytes, inputEntries } from './safetensors-input';
import { layoutSafetensors } from './safetensors-header';

/**
 * Load every tensor of a safetensors file as tf.Tensors (floats -> float32, integers -> int32,
 * BOOL -> bool). The caller owns and disposes them; on error none is left allocated.
 */
export function loadSafetensors(path: string): Record<string, tf.Tensor> {
  const file = SafetensorsFile.open(path);
  const out = emptyRecord<tf.Tensor>();
  try {
    for (const name of file.keys()) setEntry(out, name, file.readTensor(name));
    return out;
  } catch (error) {
    for (const t of Object.values(out)) t.dispose();
    throw error;
  } finally {
    file.close();
  }
}

/** Every tensor of a safetensors file as raw bytes (exact dtypes, `F16`/`BF16` as bit patterns), plus its metadata. */
export function loadSafetensorsRaw(path: string): { tensors: Record<string, RawTensor>; metadata: Record<string, string> } {
  const file = SafetensorsFile.open(path);
  try {
    const tensors = emptyRecord<RawTensor>();
    for (const name of file.keys()) setEntry(tensors, name, file.readRaw(name));
    return { tensors, metadata: { ...file.metadata } };
  } finally {
    file.close();
  }
}

/**
 * Write tensors (tf.Tensors, raw tensors or typed arrays with shapes) and optional string
 * metadata to a safetensors file, atomically: the data goes to a temporary file in the same folder
 * that is synced and then renamed over `path`, so a crash never leaves a half-written file.
 * Tensors are written one at a time (no whole-file buffer).
 */
export function saveSafetensors(path: string, tensors: SafetensorsInputs, metadata?: Record<string, string>): void {
  const entries = inputEntries(tensors);
  const layout = layoutSafetensors(
    entries.map(([name, input]) => ({ name, ...describeInput(input, name, path) })),
    metadata,
    path,
  );
  const byName = new Map(entries);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    writeAll(fd, layout.prefix);
    for (const { name, begin, end } of layout.order) {
      const bytes = inputBytes(byName.get(name)!, name, path);
      if (bytes.length !== end - begin) {
        throw new SafetensorsError(`${path}: tensor '${name}' produced ${bytes.length} bytes; expected ${end - begin}.`);
      }
      writeAll(fd, bytes);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    if (error instanceof TerramaeError) throw error;
    throw new SafetensorsError(`${path}: cannot write safetensors file (${(error as Error).message}); check the folder exists and is writable.`, {
      cause: error,
    });
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}
