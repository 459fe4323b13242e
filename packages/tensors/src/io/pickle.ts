import { PthError } from './errors';

/** A reference to a Python global (`module.name`) met in a pickle. It is never imported or called. */
export class PickleGlobal {
  constructor(
    /** Python module, e.g. `argparse`. */
    readonly module: string,
    /** Attribute name in the module, e.g. `Namespace`. */
    readonly name: string,
  ) {}

  /** `module.name`. */
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/**
 * An instance of a Python class the unpickler does not know (e.g. `argparse.Namespace`): it
 * records the class, the constructor arguments and the state `BUILD` gave it, and executes
 * nothing. {@link PickleObject.get} reads an attribute from a dict state.
 */
export class PickleObject {
  /** The state set by `BUILD` (usually a {@link PickleDict} of attributes), or `undefined`. */
  state: unknown = undefined;

  constructor(
    /** The class (or factory function) named in the pickle. */
    readonly cls: PickleGlobal,
    /** Arguments it was called with. */
    readonly args: unknown[],
  ) {}

  /** Attribute `key` of the object's dict state (also the first element of a `(dict, slots)` state). */
  get(key: string): unknown {
    const state = Array.isArray(this.state) ? this.state[0] : this.state;
    return state instanceof Map ? state.get(key) : undefined;
  }
}

/**
 * A Python `dict` or `collections.OrderedDict` (keys in insertion order; keys may be numbers, as
 * in optimizer states). Instance attributes pickled with it (e.g. a state dict's `_metadata`) are
 * kept in {@link PickleDict.state}.
 */
export class PickleDict extends Map<unknown, unknown> {
  /** Attributes set by `BUILD`, if any. */
  state: unknown = undefined;

  constructor(
    /** `dict` or the qualified name of the dict subclass, e.g. `collections.OrderedDict`. */
    readonly className = 'dict',
  ) {
    super();
  }
}

/** Returned by a {@link UnpickleOptions.reduce} hook to let the default handling proceed. */
export const NOT_HANDLED: unique symbol = Symbol('not handled');

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Names the source in error messages (a file path). */
  label?: string;
  /** Resolves a persistent id (`PERSID`/`BINPERSID`); without it such pickles are rejected. */
  persistentLoad?: (pid: unknown) => unknown;
  /**
   * Builds the value of `callable(*args)` for the globals it knows (`REDUCE`, `NEWOBJ`);
   * returns {@link NOT_HANDLED} for the rest, which become {@link PickleObject}s.
   */
  reduce?: (callable: PickleGlobal, args: unknown[]) => unknown;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

const utf8 = new TextDecoder('utf-8');

/** Built-in globals every pickle may use; all are data constructors, none executes code. */
function defaultReduce(callable: PickleGlobal, args: unknown[], label: string): unknown {
  switch (callable.qualifiedName) {
    case 'collections.OrderedDict':
    case 'builtins.dict':
    case '__builtin__.dict': {
      const d = new PickleDict(callable.qualifiedName.endsWith('OrderedDict') ? 'collections.OrderedDict' : 'dict');
      const items = args[0];
      if (Array.isArray(items)) for (const kv of items) if (Array.isArray(kv) && kv.length === 2) d.set(kv[0], kv[1]);
      if (items instanceof Map) for (const [k, v] of items) d.set(k, v);
      return d;
    }
    case 'builtins.set':
    case '__builtin__.set':
    case 'builtins.frozenset':
    case '__builtin__.frozenset':
      return new Set(Array.isArray(args[0]) ? args[0] : []);
    case 'builtins.list':
    case '__builtin__.list':
    case 'builtins.tuple':
    case '__builtin__.tuple':
      return Array.isArray(args[0]) ? [...args[0]] : [];
    case 'builtins.bytearray':
    case '__builtin__.bytearray':
      if (args[0] instanceof Uint8Array) return Uint8Array.from(args[0]);
      if (typeof args[0] === 'string') return Uint8Array.from(args[0], (c) => c.charCodeAt(0) & 0xff);
      return new Uint8Array(0);
    case '_codecs.encode': {
      // Protocol 2 pickles Python 3 bytes as _codecs.encode(str, 'latin1').
      const [text, encoding] = args;
      if (typeof text !== 'string') break;
      if (encoding === 'latin1' || encoding === 'latin-1' || encoding === 'iso-8859-1') return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
      if (encoding === 'utf-8' || encoding === 'utf8' || encoding === undefined) return new TextEncoder().encode(text);
      throw new PthError(`${label}: pickle uses _codecs.encode with encoding ${JSON.stringify(encoding)}, which is not supported.`);
    }
    case 'copy_reg._reconstructor':
    case 'copyreg._reconstructor': {
      const [cls, base, state] = args;
      if (cls instanceof PickleGlobal) {
        if (base instanceof PickleGlobal && /^(__builtin__|builtins)\.dict$/.test(base.qualifiedName)) return new PickleDict(cls.qualifiedName);
        return new PickleObject(cls, state === null || state === undefined ? [] : [state]);
      }
      break;
    }
  }
  return NOT_HANDLED;
}

/**
 * Decode a Python pickle (protocols 0-5) into plain data, without executing anything:
 * `None` -> `null`, bool, int -> `number` (or `bigint` beyond 2^53), float -> `number`, str ->
 * `string`, bytes -> `Uint8Array`, list and tuple -> arrays, dict -> {@link PickleDict}, set ->
 * `Set`, globals -> {@link PickleGlobal}, instances of unknown classes -> {@link PickleObject}.
 * Out-of-band buffers and extension registries are rejected with a {@link PthError}.
 */
export function unpickle(data: Uint8Array, options: UnpickleOptions = {}): unknown {
  const label = options.label ?? 'pickle';
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;

  const fail = (message: string): never => {
    throw new PthError(`${label}: ${message}`);
  };
  const need = (n: number, what: string): void => {
    if (n < 0 || pos + n > data.length) fail(`the pickle is truncated (${what} needs ${n} bytes at offset ${pos}, ${data.length - pos} left).`);
  };
  const u8 = (): number => {
    need(1, 'a 1-byte argument');
    return data[pos++]!;
  };
  const u16 = (): number => {
    need(2, 'a 2-byte argument');
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4, 'a 4-byte argument');
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = (): number => {
    need(4, 'a 4-byte argument');
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8, 'an 8-byte length');
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`a length of ${v} bytes is impossible; the pickle is corrupt.`);
    return Number(v);
  };
  const take = (n: number, what: string): Uint8Array => {
    need(n, what);
    const out = data.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail(`the pickle is truncated (a text argument at offset ${pos} has no newline).`);
    const s = latin1(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) fail(`stack underflow at offset ${pos}; the pickle is corrupt.`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail(`stack underflow at offset ${pos}; the pickle is corrupt.`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = marks.pop();
    if (m === undefined) fail(`an opcode needs a MARK that is missing (offset ${pos}); the pickle is corrupt.`);
    return stack.splice(m!);
  };
  const fromLong = (bytes: Uint8Array): number | bigint => {
    if (bytes.length === 0) return 0;
    let v = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
    if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const reduce = (callable: unknown, args: unknown): unknown => {
    if (!(callable instanceof PickleGlobal)) fail(`REDUCE/NEWOBJ on a ${typeof callable} instead of a class or function; the pickle is not supported.`);
    const g = callable as PickleGlobal;
    const list = Array.isArray(args) ? args : [];
    if (options.reduce) {
      const r = options.reduce(g, list);
      if (r !== NOT_HANDLED) return r;
    }
    const d = defaultReduce(g, list, label);
    return d !== NOT_HANDLED ? d : new PickleObject(g, list);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) fail(`SETITEM(S) on a non-dict; the pickle is not supported.`);
    for (let i = 0; i + 1 < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    if (Array.isArray(target)) target.push(...items);
    else if (target instanceof Set) for (const x of items) target.add(x);
    else fail(`APPEND(S) on a non-list; the pickle is not supported.`);
  };
  const parseStringLiteral = (s: string): string => {
    const q = s[0];
    if ((q !== "'" && q !== '"') || s[s.length - 1] !== q) fail(`a STRING argument is not quoted.`);
    return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e: string) => {
      if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
      if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
      return ({ n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' } as Record<string, string>)[e] ?? `\\${e}`;
    });
  };
  const rawUnicodeEscape = (s: string): string =>
    s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a?: string, b?: string) => String.fromCodePoint(parseInt((a ?? b)!, 16)));
  const memoPut = (key: number): void => {
    memo.set(key, top());
  };
  const memoGet = (key: number): unknown => {
    if (!memo.has(key)) fail(`memo key ${key} is read before it is written; the pickle is corrupt.`);
    return memo.get(key);
  };

  for (;;) {
    if (pos >= data.length) fail(`the pickle is truncated (no STOP opcode after ${data.length} bytes).`);
    const at = pos;
    const op = data[pos++]!;
    switch (op) {
      case 0x80: {
        const proto = u8();
        if (proto > 5) fail(`pickle protocol ${proto} is newer than this reader (0-5).`);
        break;
      }
      case 0x95: // FRAME: framing is irrelevant with the whole buffer in memory
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0) fail(`STOP with ${stack.length} values on the stack; the pickle is corrupt.`);
        return stack[0];
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP (pops the mark itself when nothing was pushed after it)
        if (marks.length > 0 && stack.length === marks[marks.length - 1]) popMark();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x49: {
        // INT (text); I00/I01 are protocol-0 booleans
        const s = line();
        if (s === '00' || s === '01') stack.push(s === '01');
        else {
          const v = BigInt(s);
          stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        }
        break;
      }
      case 0x4c: {
        // LONG (text)
        const v = BigInt(line().replace(/L$/, ''));
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(fromLong(take(u8(), 'LONG1')));
        break;
      case 0x8b: {
        // LONG4
        const n = i32();
        if (n < 0) fail(`LONG4 with negative length ${n}.`);
        stack.push(fromLong(take(n, 'LONG4')));
        break;
      }
      case 0x46: // FLOAT (text)
        stack.push(parseFloat(line()));
        break;
      case 0x47: {
        // BINFLOAT (big-endian double)
        need(8, 'BINFLOAT');
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x53: // STRING (text, quoted): decoded as UTF-8 text like torch.load does
        stack.push(parseStringLiteral(line()));
        break;
      case 0x54: {
        // BINSTRING
        const n = i32();
        if (n < 0) fail(`BINSTRING with negative length ${n}.`);
        stack.push(utf8.decode(take(n, 'BINSTRING')));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        stack.push(utf8.decode(take(u8(), 'SHORT_BINSTRING')));
        break;
      case 0x56: // UNICODE (raw-unicode-escape text)
        stack.push(rawUnicodeEscape(line()));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32(), 'BINUNICODE')));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8(), 'SHORT_BINUNICODE')));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64(), 'BINUNICODE8')));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32(), 'BINBYTES').slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8(), 'SHORT_BINBYTES').slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64(), 'BINBYTES8').slice());
        break;
      case 0x96: // BYTEARRAY8
        stack.push(take(u64(), 'BYTEARRAY8').slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        stack.push([a, b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push([a, b, c]);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new PickleDict());
        break;
      case 0x64: {
        // DICT
        const d = new PickleDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail(`ADDITEMS on a non-set.`);
        for (const x of items) (s as Set<unknown>).add(x);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x70: // PUT (text)
        memoPut(parseInt(line(), 10));
        break;
      case 0x71: // BINPUT
        memoPut(u8());
        break;
      case 0x72: // LONG_BINPUT
        memoPut(u32());
        break;
      case 0x94: // MEMOIZE
        memoPut(memo.size);
        break;
      case 0x67: // GET (text)
        stack.push(memoGet(parseInt(line(), 10)));
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(new PickleGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail(`STACK_GLOBAL needs two strings.`);
        stack.push(new PickleGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        stack.push(reduce(callable, args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        stack.push(reduce(cls, args));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX (keyword arguments are kept as a trailing PickleDict)
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        const list = Array.isArray(args) ? [...args] : [];
        if (kwargs instanceof Map && kwargs.size > 0) list.push(kwargs);
        stack.push(reduce(cls, list));
        break;
      }
      case 0x69: {
        // INST (protocol 0)
        const module = line();
        const name = line();
        stack.push(reduce(new PickleGlobal(module, name), popMark()));
        break;
      }
      case 0x6f: {
        // OBJ (protocol 1)
        const items = popMark();
        stack.push(reduce(items[0], items.slice(1)));
        break;
      }
      case 0x62: {
        // BUILD: records the state, runs no __setstate__
        const state = pop();
        const obj = top();
        if (obj instanceof PickleObject || obj instanceof PickleDict) {
          if (obj.state instanceof Map && state instanceof Map) for (const [k, v] of state) obj.state.set(k, v);
          else obj.state = state;
        }
        break;
      }
      case 0x50: {
        // PERSID (text)
        if (!options.persistentLoad) fail(`the pickle refers to external data (persistent id) and no loader was given.`);
        stack.push(options.persistentLoad!(line()));
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail(`the pickle refers to external data (persistent id) and no loader was given.`);
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 0x82:
      case 0x83:
      case 0x84:
        fail(`opcode EXT${op === 0x82 ? 1 : op === 0x83 ? 2 : 4} (copyreg extension registry) at offset ${at} is not supported.`);
        break;
      case 0x97:
      case 0x98:
        fail(`out-of-band buffers (pickle protocol 5 opcode 0x${op.toString(16)} at offset ${at}) are not supported.`);
        break;
      default:
        fail(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}; the data is corrupt or not a pickle.`);
    }
  }
}
