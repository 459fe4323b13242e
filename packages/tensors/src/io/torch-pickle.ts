import type { SafetensorsDType } from './dtype';
import { PthError } from './errors';
import { NOT_HANDLED, PickleDict, PickleGlobal, PickleObject, unpickle } from './pickle';

/** Dtype of each torch storage class a checkpoint may name. */
export const TORCH_STORAGE_DTYPES: Readonly<Record<string, SafetensorsDType>> = Object.freeze({
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
});

/** A storage (flat buffer) of a `.pth` archive, as named by a tensor's persistent id. */
export interface PthStorage {
  /** Key of the storage: its bytes are the archive entry `<archive>/data/<key>`. */
  key: string;
  /** Element type, from the storage class (`torch.FloatStorage` -> `F32`...). */
  dtype: SafetensorsDType;
  /** Device it was saved from (`cpu`, `cuda:0`...); irrelevant for reading. */
  location: string;
  /** Number of elements. */
  numel: number;
}

/**
 * A tensor found in a pickled checkpoint, before its bytes are read: a strided view of a storage
 * (`torch._utils._rebuild_tensor_v2`). Read it with {@link PthFile.readTensor}.
 */
export class PthTensorRef {
  constructor(
    /** The storage it views. */
    readonly storage: PthStorage,
    /** Offset of element [0, ..., 0] in the storage, in elements. */
    readonly storageOffset: number,
    /** Dimensions. */
    readonly shape: number[],
    /** Stride of each dimension, in elements. */
    readonly stride: number[],
    /** `requires_grad` as saved. */
    public requiresGrad: boolean,
    /** Whether it was saved as an `nn.Parameter`. */
    public isParameter = false,
  ) {}

  /** Element type. */
  get dtype(): SafetensorsDType {
    return this.storage.dtype;
  }
}

function isIntList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0);
}

/** Where a checkpoint's pickle came from, for error messages. */
export interface TorchPickleContext {
  /** File path named in errors. */
  label: string;
}

/**
 * Unpickle a `.pth` archive's `data.pkl`: tensors become {@link PthTensorRef}s over
 * {@link PthStorage}s; `OrderedDict`s become {@link PickleDict}s; parameters become tensors
 * flagged `isParameter`; every other class (e.g. `argparse.Namespace`) becomes an opaque
 * {@link PickleObject}. Nothing is executed.
 */
export function unpickleTorch(data: Uint8Array, context: TorchPickleContext): unknown {
  const { label } = context;
  const storages = new Map<string, PthStorage>();

  const persistentLoad = (pid: unknown): PthStorage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
      throw new PthError(`${label}: unsupported persistent id ${JSON.stringify(Array.isArray(pid) ? pid[0] : typeof pid)} in data.pkl (expected a 'storage' record); is this a torch.save checkpoint?`);
    }
    const [, type, key, location, numel] = pid as [string, unknown, unknown, unknown, unknown];
    if (!(type instanceof PickleGlobal)) throw new PthError(`${label}: a storage record names no storage class; the checkpoint is corrupt.`);
    const dtype = TORCH_STORAGE_DTYPES[type.name];
    if (type.module !== 'torch' || !dtype) {
      throw new PthError(
        `${label}: storage class ${type.qualifiedName} is not supported (supported: ${Object.keys(TORCH_STORAGE_DTYPES).map((n) => `torch.${n}`).join(', ')}); convert those tensors to a supported dtype before saving.`,
      );
    }
    if (typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
      throw new PthError(`${label}: a storage record has key ${JSON.stringify(key)} and size ${String(numel)}; the checkpoint is corrupt.`);
    }
    const existing = storages.get(key);
    if (existing) {
      if (existing.dtype !== dtype) {
        throw new PthError(`${label}: storage '${key}' is used as both ${existing.dtype} and ${dtype}; reinterpreting storages is not supported.`);
      }
      return existing;
    }
    const storage: PthStorage = { key, dtype, location: String(location), numel };
    storages.set(key, storage);
    return storage;
  };

  const makeTensor = (args: unknown[], fn: string): PthTensorRef => {
    const [storage, offset, size, stride, requiresGrad] = args;
    if (typeof storage !== 'object' || storage === null || !('key' in storage)) {
      throw new PthError(`${label}: ${fn} got no storage; the checkpoint is corrupt.`);
    }
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || !isIntList(size) || !isIntList(stride) || size.length !== stride.length) {
      throw new PthError(`${label}: ${fn} got offset ${String(offset)}, size ${JSON.stringify(size)}, stride ${JSON.stringify(stride)}; the checkpoint is corrupt.`);
    }
    return new PthTensorRef(storage as PthStorage, offset, size.slice(), stride.slice(), requiresGrad === true);
  };

  const reduce = (callable: PickleGlobal, args: unknown[]): unknown => {
    switch (callable.qualifiedName) {
      case 'torch._utils._rebuild_tensor_v2':
      case 'torch._utils._rebuild_tensor':
        return makeTensor(args, callable.name);
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state': {
        const [t, requiresGrad] = args;
        if (t instanceof PthTensorRef) {
          t.isParameter = true;
          t.requiresGrad = requiresGrad === true;
          return t;
        }
        return NOT_HANDLED;
      }
      case 'torch._tensor._rebuild_from_type_v2':
      case 'torch._tensor._rebuild_from_type': {
        // (func, new_type, args, state): the tensor subclass is dropped, the data kept.
        const [func, , inner] = args;
        if (func instanceof PickleGlobal && Array.isArray(inner)) {
          const r = reduce(func, inner);
          return r === NOT_HANDLED ? new PickleObject(func, inner) : r;
        }
        return NOT_HANDLED;
      }
      case 'torch.Size':
        return Array.isArray(args[0]) ? [...args[0]] : NOT_HANDLED;
      default:
        return NOT_HANDLED;
    }
  };

  return unpickle(data, { label: `${label} (data.pkl)`, persistentLoad, reduce });
}

/** A short description of a pickled value for error messages (`tensor F32 [3, 4]`, `dict with 5 entries`, `argparse.Namespace object`...). */
export function describePickled(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v instanceof PthTensorRef) return `tensor ${v.dtype} [${v.shape.join(', ')}]`;
  if (v instanceof PickleDict) return `${v.className} with ${v.size} entries`;
  if (v instanceof Map) return `dict with ${v.size} entries`;
  if (v instanceof PickleObject) return `${v.cls.qualifiedName} object`;
  if (v instanceof PickleGlobal) return `reference to ${v.qualifiedName}`;
  if (Array.isArray(v)) return `list/tuple of ${v.length}`;
  if (v instanceof Set) return `set of ${v.size}`;
  if (v instanceof Uint8Array) return `bytes (${v.length})`;
  if (typeof v === 'number') return Number.isInteger(v) ? `int ${v}` : `float ${v}`;
  if (typeof v === 'bigint') return `int ${v}`;
  if (typeof v === 'string') return `str ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  return typeof v;
}
