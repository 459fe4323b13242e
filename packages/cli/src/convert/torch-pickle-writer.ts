import type { RawTensor, SafetensorsDType } from '@terramae/tensors';

/** The torch storage class of each dtype a `.pth` can hold. */
export const TORCH_STORAGE_CLASS: Readonly<Partial<Record<SafetensorsDType, string>>> = {
  F32: 'FloatStorage',
  F64: 'DoubleStorage',
  F16: 'HalfStorage',
  BF16: 'BFloat16Storage',
  I64: 'LongStorage',
  I32: 'IntStorage',
  I16: 'ShortStorage',
  I8: 'CharStorage',
  U8: 'ByteStorage',
  BOOL: 'BoolStorage',
};

/** Pickle opcodes (protocol 2) used below. */
const OP = {
  PROTO: 0x80, STOP: 0x2e, GLOBAL: 0x63, EMPTY_TUPLE: 0x29, REDUCE: 0x52, MARK: 0x28, SETITEMS: 0x75,
  BINUNICODE: 0x58, BININT: 0x4a, BININT1: 0x4b, BININT2: 0x4d, LONG1: 0x8a, TUPLE: 0x74, NEWFALSE: 0x89, BINPERSID: 0x51,
} as const;

/** A growing byte buffer with the few pickle encodings a state dict needs. */
class PickleBuffer {
  private chunks: number[] = [];
  byte(b: number): void {
    this.chunks.push(b);
  }
  bytes(bs: Uint8Array): void {
    for (const b of bs) this.chunks.push(b);
  }
  global(module: string, name: string): void {
    this.byte(OP.GLOBAL);
    this.bytes(new TextEncoder().encode(`${module}\n${name}\n`));
  }
  string(s: string): void {
    const utf8 = new TextEncoder().encode(s);
    this.byte(OP.BINUNICODE);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, utf8.length, true);
    this.bytes(len);
    this.bytes(utf8);
  }
  int(n: number): void {
    if (!Number.isSafeInteger(n)) throw new RangeError(`pickle: ${n} is not a safe integer`);
    if (n >= 0 && n < 256) {
      this.byte(OP.BININT1);
      this.byte(n);
    } else if (n >= 0 && n < 65536) {
      this.byte(OP.BININT2);
      this.byte(n & 0xff);
      this.byte(n >> 8);
    } else if (n >= -(2 ** 31) && n < 2 ** 31) {
      this.byte(OP.BININT);
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, n, true);
      this.bytes(b);
    } else {
      // LONG1: little-endian two's complement, 8 bytes is enough for any safe integer
      this.byte(OP.LONG1);
      this.byte(8);
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
      this.bytes(b);
    }
  }
  tuple(items: readonly number[]): void {
    this.byte(OP.MARK);
    for (const i of items) this.int(i);
    this.byte(OP.TUPLE);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

/**
 * `data.pkl` of a `torch.save(state_dict)` archive: an `OrderedDict` of contiguous tensors, each
 * `torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())` whose storage
 * is the persistent id `('storage', torch.<Type>Storage, '<key>', 'cpu', numel)`. Storage `i`
 * belongs to the `i`-th tensor.
 */
export function pickleStateDict(tensors: readonly (readonly [string, RawTensor])[]): Uint8Array {
  const p = new PickleBuffer();
  p.byte(OP.PROTO);
  p.byte(2);
  p.global('collections', 'OrderedDict');
  p.byte(OP.EMPTY_TUPLE);
  p.byte(OP.REDUCE);
  p.byte(OP.MARK);
  tensors.forEach(([name, raw], key) => {
    const storage = TORCH_STORAGE_CLASS[raw.dtype];
    if (!storage) throw new RangeError(`pickle: tensor '${name}' has dtype ${raw.dtype}, which PyTorch 1.x storages cannot hold`);
    const numel = raw.shape.reduce((a, b) => a * b, 1);
    const stride = raw.shape.map((_, i) => raw.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    p.string(name);
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.byte(OP.MARK);
    // persistent id of the storage
    p.byte(OP.MARK);
    p.string('storage');
    p.global('torch', storage);
    p.string(String(key));
    p.string('cpu');
    p.int(numel);
    p.byte(OP.TUPLE);
    p.byte(OP.BINPERSID);
    p.int(0);
    p.tuple(raw.shape);
    p.tuple(stride);
    p.byte(OP.NEWFALSE);
    p.global('collections', 'OrderedDict');
    p.byte(OP.EMPTY_TUPLE);
    p.byte(OP.REDUCE);
    p.byte(OP.TUPLE);
    p.byte(OP.REDUCE);
  });
  p.byte(OP.SETITEMS);
  p.byte(OP.STOP);
  return p.done();
}
