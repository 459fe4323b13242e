import { closeSync, openSync, readSync } from 'node:fs';
import { dtypeItemSize, numelOf } from './dtype';
import { swapBytes } from './endian';
import { PthError, ZipError } from './errors';
import { PickleDict, PickleObject } from './pickle';
import type { RawTensor } from './raw-tensor';
import { emptyRecord, setEntry } from './record';
import { gatherStrided, isContiguous, stridedExtent } from './strided-copy';
import { PthTensorRef, describePickled, unpickleTorch } from './torch-pickle';
import { ZipReader } from './zip-reader';

/** Top-level keys `loadPthStateDict` looks for, in order, when the checkpoint is not a bare state dict. */
export const PTH_STATE_DICT_KEYS: readonly string[] = Object.freeze(['model', 'state_dict', 'model_state', 'model_state_dict']);

/** Which part of a checkpoint is the state dict, and what to do with non-tensor entries. */
export interface PthStateDictOptions {
  /**
   * `'auto'` (default): the root when it is a dict of tensors, else the first of
   * {@link PTH_STATE_DICT_KEYS} present (else, with `nonTensors: 'skip'`, the root when it holds
   * any tensor). A string picks that top-level key; an array of keys
   * walks nested dicts (e.g. `['ema', 'model']`).
   */
  key?: string | readonly string[];
  /** Entries that are not tensors: `'error'` (default) or `'skip'`. */
  nonTensors?: 'error' | 'skip';
}

function sniff(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new PthError(`${path}: cannot open checkpoint (${(cause as Error).message}).`, { cause });
  }
  try {
    const head = new Uint8Array(512);
    const n = readSync(fd, head, 0, 512, 0);
    return head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function notZipMessage(path: string, head: Uint8Array): string | undefined {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) return undefined;
  const legacy = 'resave it with a recent PyTorch (torch.save(torch.load(old), new), which writes the zip format) and try again';
  if (head.length === 0) return `${path}: the file is empty; it is not a PyTorch checkpoint.`;
  if (head[0] === 0x80) return `${path}: this is a legacy (pre-1.6, non-zip) torch.save file, which this reader does not support; ${legacy}.`;
  if (head.length >= 262 && new TextDecoder().decode(head.subarray(257, 262)) === 'ustar') {
    return `${path}: this is a legacy tar-format torch.save file, which this reader does not support; ${legacy}.`;
  }
  const hex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${path}: not a PyTorch zip checkpoint (it starts with bytes ${hex}, not the zip signature 50 4b 03 04).`;
}

/** Zip-level failures surface as PthError (same message, which already names the file). */
function asPthError(error: unknown): unknown {
  return error instanceof ZipError ? new PthError(error.message, { cause: error }) : error;
}

/**
 * A PyTorch `.pth` checkpoint (the zip format `torch.save` has written since 1.6), opened for
 * reading. `open` reads the zip directory and unpickles `<archive>/data.pkl` into
 * {@link PthFile.root}, where tensors are {@link PthTensorRef}s; their bytes are read on demand
 * with positioned reads ({@link PthFile.readTensor}). Nothing in the pickle is executed: unknown
 * classes (e.g. `argparse.Namespace`) become opaque {@link PickleObject}s.
 *
 * @example
 * ```ts
 * const pth = PthFile.open('checkpoint.pth');
 * try {
 *   const weights = pth.stateDict(); // {name: RawTensor}, from the 'model' entry when present
 * } finally {
 *   pth.close();
 * }
 * ```
 */
export class PthFile {
  private constructor(
    /** Path of the checkpoint. */
    readonly path: string,
    private readonly zip: ZipReader,
    /** Name of the folder inside the zip (`archive`, or the file stem for newer torch). */
    readonly archiveName: string,
    /** Content of `<archive>/version` (e.g. `3`), when present. */
    readonly version: string | undefined,
    /** Byte order of the storages (`<archive>/byteorder`; little when absent). */
    readonly byteOrder: 'little' | 'big',
    /** Whether the archive is a TorchScript module (`torch.jit.save`) rather than `torch.save` data. */
    readonly isTorchScript: boolean,
    /** The unpickled object (a dict of tensors, a checkpoint dict...). */
    readonly root: unknown,
  ) {}

  /** Open and unpickle a checkpoint. Throws {@link PthError} naming the file for anything unreadable. */
  static open(path: string): PthFile {
    const problem = notZipMessage(path, sniff(path));
    if (problem) throw new PthError(problem);
    let zip: ZipReader;
    try {
      zip = ZipReader.open(path);
    } catch (error) {
      throw asPthError(error);
    }
    try {
      const names = zip.names();
      const pkl = names.find((n) => /^[^/]+\/data\.pkl$/.test(n));
      if (!pkl) {
        const some = names.slice(0, 6).map((n) => `'${n}'`).join(', ');
        throw new PthError(
          `${path}: the zip has no <archive>/data.pkl, so it is not a torch.save checkpoint (entries: ${some || 'none'}${names.length > 6 ? ', ...' : ''}).`,
        );
      }
      const archive = pkl.slice(0, pkl.indexOf('/'));
      const text = (name: string): string | undefined => (zip.entry(name) ? new TextDecoder().decode(zip.read(name)).trim() : undefined);
      const version = text(`${archive}/version`) ?? text(`${archive}/.data/version`);
      const order = text(`${archive}/byteorder`) ?? 'little';
      if (order !== 'little' && order !== 'big') throw new PthError(`${path}: unknown byte order '${order}' in ${archive}/byteorder.`);
      const isTorchScript = names.some((n) => n.startsWith(`${archive}/code/`) || n === `${archive}/constants.pkl`);
      const root = unpickleTorch(zip.read(pkl), { label: path });
      return new PthFile(path, zip, archive, version, order, isTorchScript, root);
    } catch (error) {
      zip.close();
      throw asPthError(error);
    }
  }

  /**
   * The bytes of a tensor of this checkpoint, contiguous (views with a storage offset and
   * transposed/strided tensors are copied out element by element), in its saved dtype
   * (`F16`/`BF16` as raw 16-bit patterns). `name` is used in error messages.
   */
  readTensor(ref: PthTensorRef, name = 'tensor'): RawTensor {
    const { storage, shape, stride, storageOffset } = ref;
    const size = dtypeItemSize(storage.dtype);
    const entryName = `${this.archiveName}/data/${storage.key}`;
    const where = `${this.path}: tensor '${name}' (${storage.dtype} [${shape.join(', ')}], storage '${storage.key}')`;
    const entry = this.zip.entry(entryName);
    if (!entry) throw new PthError(`${where}: the archive has no ${entryName}; the checkpoint is incomplete.`);
    if (entry.size < storage.numel * size) {
      throw new PthError(`${where}: ${entryName} has ${entry.size} bytes but the storage needs ${storage.numel * size}; the checkpoint is truncated.`);
    }
    const numel = numelOf(shape);
    const extent = stridedExtent(shape, stride);
    if (numel > 0 && storageOffset + extent >= storage.numel) {
      throw new PthError(`${where}: the view reaches element ${storageOffset + extent} of a ${storage.numel}-element storage; the checkpoint is corrupt.`);
    }
    let bytes: Uint8Array;
    try {
      if (numel === 0) bytes = new Uint8Array(0);
      else if (isContiguous(shape, stride)) bytes = this.zip.readRange(entryName, storageOffset * size, numel * size);
      else bytes = gatherStrided(this.zip.readRange(entryName, storageOffset * size, (extent + 1) * size), size, shape, stride, 0);
    } catch (error) {
      throw asPthError(error);
    }
    if (this.byteOrder === 'big') bytes = swapBytes(bytes, size);
    return { dtype: storage.dtype, shape: shape.slice(), bytes };
  }

  /**
   * The tensor refs of the state dict (see {@link PthStateDictOptions} for how it is found) and
   * the key path it was found under (`[]` for a bare state dict).
   */
  stateDictRefs(options: PthStateDictOptions = {}): { keyPath: string[]; refs: Map<string, PthTensorRef> } {
    const root = this.root;
    const rootDesc = describePickled(root);
    if (!(root instanceof Map)) {
      const hint = this.isTorchScript
        ? ' It is a TorchScript archive (torch.jit.save): save model.state_dict() with torch.save instead.'
        : ' Save model.state_dict() (or a dict holding it under "model") with torch.save.';
      throw new PthError(`${this.path}: the checkpoint holds a ${rootDesc}, not a state dict.${hint}`);
    }
    let keyPath: string[];
    let dict: unknown;
    if (options.key === undefined || options.key === 'auto') {
      if ([...root.values()].every((v) => v instanceof PthTensorRef) && [...root.keys()].every((k) => typeof k === 'string')) {
        keyPath = [];
        dict = root;
      } else {
        const found = PTH_STATE_DICT_KEYS.find((k) => root.has(k));
        const anyTensor = [...root.values()].some((v) => v instanceof PthTensorRef);
        if (found === undefined && options.nonTensors === 'skip' && anyTensor) {
          keyPath = [];
          dict = root;
        } else if (found === undefined) {
          throw new PthError(
            `${this.path}: the checkpoint is a dict with keys ${topKeys(root)} and none of ${PTH_STATE_DICT_KEYS.map((k) => `'${k}'`).join(', ')}; pass { key: '<the state dict key>' }.`,
          );
        } else {
          keyPath = [found];
          dict = root.get(found);
        }
      }
    } else {
      keyPath = typeof options.key === 'string' ? [options.key] : [...options.key];
      dict = root;
      for (let i = 0; i < keyPath.length; i++) {
        const k = keyPath[i]!;
        const at = keyPath.slice(0, i).map((s) => `['${s}']`).join('');
        if (!(dict instanceof Map)) throw new PthError(`${this.path}: checkpoint${at} is a ${describePickled(dict)}, so it has no key '${k}'.`);
        if (!dict.has(k)) throw new PthError(`${this.path}: checkpoint${at} has no key '${k}'; its keys are ${topKeys(dict)}.`);
        dict = dict.get(k);
      }
    }
    const at = keyPath.map((s) => `['${s}']`).join('');
    if (!(dict instanceof Map)) {
      throw new PthError(`${this.path}: checkpoint${at} is a ${describePickled(dict)}, not a state dict (a dict of tensors).`);
    }
    const refs = new Map<string, PthTensorRef>();
    const bad: string[] = [];
    for (const [k, v] of dict) {
      if (typeof k === 'string' && v instanceof PthTensorRef) refs.set(k, v);
      else if (options.nonTensors !== 'skip') bad.push(`${JSON.stringify(k)} (${describePickled(v)})`);
    }
    if (bad.length > 0) {
      throw new PthError(
        `${this.path}: checkpoint${at} is not a state dict: ${bad.length} of its ${dict.size} entries are not tensors keyed by name, e.g. ${bad.slice(0, 5).join(', ')}. Pass { key } to pick another entry${keyPath.length ? '' : " (top-level keys: " + topKeys(dict) + ')'} or { nonTensors: 'skip' }.`,
      );
    }
    return { keyPath, refs };
  }

  /** The state dict as raw tensors (exact dtypes, shapes and bytes), by parameter name. */
  stateDict(options: PthStateDictOptions = {}): Record<string, RawTensor> {
    const { refs } = this.stateDictRefs(options);
    const out = emptyRecord<RawTensor>();
    for (const [name, ref] of refs) setEntry(out, name, this.readTensor(ref, name));
    return out;
  }

  /** Close the archive (idempotent). */
  close(): void {
    this.zip.close();
  }
}

function topKeys(dict: Map<unknown, unknown>): string {
  const keys = [...dict.keys()].map((k) => JSON.stringify(typeof k === 'bigint' ? String(k) : k));
  return `[${keys.slice(0, 12).join(', ')}${keys.length > 12 ? `, ... (${keys.length})` : ''}]`;
}

/** What {@link readPth} returns. */
export interface PthContents {
  /** The unpickled object, with every tensor replaced by its {@link RawTensor} (contiguous bytes). */
  root: unknown;
  /** Every tensor of the checkpoint with its location in `root` (e.g. `['model', 'stem.0.weight']`). */
  tensors: { path: unknown[]; tensor: RawTensor; requiresGrad: boolean; isParameter: boolean }[];
  /** Folder name inside the zip. */
  archiveName: string;
  /** Content of `<archive>/version`, when present. */
  version: string | undefined;
}

/**
 * Read a whole `.pth` checkpoint eagerly: unpickle it and read every tensor (views and strided
 * tensors become contiguous copies; a storage shared by several tensors is read per tensor).
 * For large checkpoints prefer {@link PthFile.open} and read only what you need.
 */
export function readPth(path: string): PthContents {
  const file = PthFile.open(path);
  try {
    const tensors: PthContents['tensors'] = [];
    const done = new Map<PthTensorRef, RawTensor>();
    const seen = new Set<object>();
    const convert = (v: unknown, at: unknown[]): unknown => {
      if (v instanceof PthTensorRef) {
        let raw = done.get(v);
        if (!raw) {
          raw = file.readTensor(v, at.map(String).join('.') || '<root>');
          done.set(v, raw);
          tensors.push({ path: at, tensor: raw, requiresGrad: v.requiresGrad, isParameter: v.isParameter });
        }
        return raw;
      }
      if (typeof v !== 'object' || v === null || seen.has(v)) return v;
      seen.add(v);
      if (v instanceof Map) for (const [k, x] of v) v.set(k, convert(x, [...at, k]));
      else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = convert(v[i], [...at, i]);
      else if (v instanceof PickleObject) {
        for (let i = 0; i < v.args.length; i++) v.args[i] = convert(v.args[i], [...at, 'args', i]);
        v.state = convert(v.state, [...at, 'state']);
      }
      if (v instanceof PickleDict) v.state = convert(v.state, [...at, 'state']);
      return v;
    };
    const root = convert(file.root, []);
    return { root, tensors, archiveName: file.archiveName, version: file.version };
  } finally {
    file.close();
  }
}

/**
 * The state dict of a `.pth` checkpoint as raw tensors with their exact names, dtypes, shapes and
 * bytes. With the default `key: 'auto'` it takes a bare state dict, or the `model` /
 * `state_dict` / `model_state` / `model_state_dict` entry of a training checkpoint; otherwise a
 * {@link PthError} lists the top-level keys.
 */
export function loadPthStateDict(path: string, options: PthStateDictOptions = {}): Record<string, RawTensor> {
  const file = PthFile.open(path);
  try {
    return file.stateDict(options);
  } finally {
    file.close();
  }
}
