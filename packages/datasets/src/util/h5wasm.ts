import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type * as H5 from 'h5wasm';
import { DatasetFileError } from '../errors';

/** The h5wasm API (the default export of `h5wasm/node`). */
export type H5Wasm = typeof H5.default;
/** An open h5wasm file. */
export type H5File = H5.File;
/** An h5wasm dataset. */
export type H5Dataset = H5.Dataset;

let loading: Promise<H5Wasm> | undefined;

/**
 * Load h5wasm (Node build, real filesystem access) once and wait for its WebAssembly module.
 *
 * h5wasm is published as ESM only; a dynamic `import()` works from both the ESM and the CJS build
 * of this package (tsup keeps `import()` as is for external packages). HDF5 errors are switched to
 * thrown JavaScript errors (h5wasm's default only prints them), process-wide.
 */
export function loadH5wasm(): Promise<H5Wasm> {
  loading ??= (async () => {
    const mod = (await import('h5wasm/node')) as { default: H5Wasm };
    const h5 = mod.default;
    const module = (await h5.ready) as unknown as { activate_throwing_error_handler?: () => number };
    module.activate_throwing_error_handler?.();
    return h5;
  })();
  return loading;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether the file starts with the HDF5 signature (at 0, 512, 1024, … as HDF5 allows). */
export function hasHdf5Signature(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const buf = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size && offset <= 1 << 20; offset = offset === 0 ? 512 : offset * 2) {
      readSync(fd, buf, 0, 8, offset);
      if (SIGNATURE.every((b, i) => buf[i] === b)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** The most specific line of an HDF5 error stack (e.g. `truncated file: eof = …`). */
export function summarizeH5Error(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').filter((l) => /^\s*#\d+:/.test(l));
  const last = lines.at(-1);
  if (!last) return text.split('\n')[0] ?? text;
  const m = /\(\):\s*(.*)$/.exec(last);
  return (m?.[1] ?? last).trim();
}

/**
 * Open an HDF5 file for reading with a clear error when it is missing, not HDF5, or damaged.
 * @param what - what the file is, for the message (e.g. `MMEarth HDF5 file`)
 */
export async function openH5ForRead(path: string, what = 'HDF5 file'): Promise<H5File> {
  if (!existsSync(path)) throw new DatasetFileError(path, `${what} not found: ${path}`);
  if (statSync(path).isDirectory()) throw new DatasetFileError(path, `${what} expected, but ${path} is a directory.`);
  if (!hasHdf5Signature(path)) {
    throw new DatasetFileError(path, `${path} is not an HDF5 file (no HDF5 signature). Expected a ${what}.`);
  }
  const h5 = await loadH5wasm();
  try {
    const file = new h5.File(path, 'r');
    if (typeof file.file_id === 'bigint' && file.file_id < 0n) throw new Error('invalid file id');
    return file;
  } catch (cause) {
    throw new DatasetFileError(path, `Cannot open ${what} ${path}: ${summarizeH5Error(cause)}. The file may be truncated or damaged.`, {
      cause,
    });
  }
}
