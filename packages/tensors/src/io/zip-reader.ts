import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { crc32 } from './crc32';
import { ZipError } from './errors';

/** One file of a zip archive, from its central directory. */
export interface ZipEntry {
  /** Path inside the archive (`/`-separated). */
  name: string;
  /** 0 = STORED, 8 = DEFLATE. */
  method: number;
  /** CRC-32 of the uncompressed bytes. */
  crc32: number;
  /** Size of the stored (possibly compressed) bytes. */
  compressedSize: number;
  /** Size of the file's bytes. */
  size: number;
  /** Offset of the entry's local header in the archive. */
  localHeaderOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;

/**
 * A minimal random-access zip reader over a file descriptor (what `torch.save` writes): central
 * directory, ZIP64 sizes and offsets, STORED and DEFLATE entries, CRC checks. Entry bytes are read
 * with positioned reads, never by loading the whole archive.
 */
export class ZipReader {
  private fd: number | undefined;
  private readonly entries = new Map<string, ZipEntry>();
  private readonly dataOffsets = new Map<string, number>();
  private inflated: { name: string; bytes: Uint8Array } | undefined;

  private constructor(
    /** Path of the archive (named in errors). */
    readonly path: string,
    fd: number,
    /** Size of the archive in bytes. */
    readonly size: number,
  ) {
    this.fd = fd;
  }

  /** Open `path` and read its central directory. Throws {@link ZipError} for anything that is not a readable zip. */
  static open(path: string): ZipReader {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (cause) {
      throw new ZipError(`${path}: cannot open (${(cause as Error).message}).`, { cause });
    }
    try {
      const reader = new ZipReader(path, fd, fstatSync(fd).size);
      reader.readDirectory();
      return reader;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Read `length` bytes at `position` of the archive. */
  readAt(position: number, length: number): Uint8Array {
    if (this.fd === undefined) throw new ZipError(`${this.path}: the archive is closed.`);
    if (position < 0 || position + length > this.size) {
      throw new ZipError(`${this.path}: a read of ${length} bytes at offset ${position} runs past the end of the ${this.size}-byte file; the archive is truncated or corrupt.`);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, position + done);
      if (n === 0) throw new ZipError(`${this.path}: unexpected end of file at offset ${position + done}; the archive is truncated.`);
      done += n;
    }
    return out;
  }

  private readDirectory(): void {
    const p = this.path;
    if (this.size < 22) throw new ZipError(`${p}: ${this.size} bytes is too short to be a zip archive.`);
    const tailLength = Math.min(this.size, 22 + 0xffff);
    const tailStart = this.size - tailLength;
    const tail = this.readAt(tailStart, tailLength);
    const tv = new DataView(tail.buffer);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tv.getUint32(i, true) === SIG_EOCD && i + 22 + tv.getUint16(i + 20, true) <= tailLength) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ZipError(`${p}: no zip end-of-central-directory record; this is not a zip archive (or it is truncated).`);
    const disk = tv.getUint16(eocd + 4, true);
    const cdDisk = tv.getUint16(eocd + 6, true);
    let count: number = tv.getUint16(eocd + 10, true);
    let cdSize: number = tv.getUint32(eocd + 12, true);
    let cdOffset: number = tv.getUint32(eocd + 16, true);
    const needs64 = count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff;
    const locAt = eocd - 20;
    if (locAt >= 0 && tv.getUint32(locAt, true) === SIG_EOCD64_LOCATOR) {
      const rec64 = this.u64(tv, locAt + 8, 'ZIP64 locator');
      const r = new DataView(this.readAt(rec64, 56).buffer);
      if (r.getUint32(0, true) !== SIG_EOCD64) throw new ZipError(`${p}: the ZIP64 end-of-central-directory record is missing at offset ${rec64}; the archive is corrupt.`);
      count = this.u64(r, 32, 'ZIP64 entry count');
      cdSize = this.u64(r, 40, 'ZIP64 directory size');
      cdOffset = this.u64(r, 48, 'ZIP64 directory offset');
    } else if (needs64) {
      throw new ZipError(`${p}: the archive needs ZIP64 records that are missing; it is corrupt.`);
    } else if (disk !== 0 || cdDisk !== 0) {
      throw new ZipError(`${p}: multi-disk (split) zip archives are not supported.`);
    }
    if (cdOffset + cdSize > this.size) {
      throw new ZipError(`${p}: the central directory (${cdSize} bytes at ${cdOffset}) runs past the end of the ${this.size}-byte file; the archive is truncated.`);
    }
    const cd = this.readAt(cdOffset, cdSize);
    const v = new DataView(cd.buffer);
    const decoder = new TextDecoder('utf-8');
    let at = 0;
    for (let i = 0; i < count; i++) {
      if (at + 46 > cdSize || v.getUint32(at, true) !== SIG_CENTRAL) {
        throw new ZipError(`${p}: central directory entry ${i} of ${count} is malformed; the archive is corrupt.`);
      }
      const flags = v.getUint16(at + 8, true);
      const method = v.getUint16(at + 10, true);
      const crc = v.getUint32(at + 16, true);
      let compressedSize: number = v.getUint32(at + 20, true);
      let size: number = v.getUint32(at + 24, true);
      const nameLength = v.getUint16(at + 28, true);
      const extraLength = v.getUint16(at + 30, true);
      const commentLength = v.getUint16(at + 32, true);
      let localHeaderOffset: number = v.getUint32(at + 42, true);
      const end = at + 46 + nameLength + extraLength + commentLength;
      if (end > cdSize) throw new ZipError(`${p}: central directory entry ${i} runs past the directory; the archive is corrupt.`);
      const name = decoder.decode(cd.subarray(at + 46, at + 46 + nameLength));
      // ZIP64 extended information: the 64-bit values present are those whose 32-bit field is all ones, in this order.
      let e = at + 46 + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd) {
        const id = v.getUint16(e, true);
        const len = v.getUint16(e + 2, true);
        if (id === 0x0001) {
          let q = e + 4;
          const take = (what: string): number => {
            if (q + 8 > e + 4 + len) throw new ZipError(`${p}: entry '${name}' has a short ZIP64 extra field; the archive is corrupt.`);
            const value = this.u64(v, q, what);
            q += 8;
            return value;
          };
          if (size === 0xffffffff) size = take('size');
          if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = take('offset');
        }
        e += 4 + len;
      }
      if (flags & 1) throw new ZipError(`${p}: entry '${name}' is encrypted; encrypted archives are not supported.`);
      this.entries.set(name, { name, method, crc32: crc, compressedSize, size, localHeaderOffset });
      at = end;
    }
  }

  private u64(v: DataView, at: number, what: string): number {
    const value = v.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError(`${this.path}: ${what} ${value} is too large; the archive is corrupt.`);
    return Number(value);
  }

  /** Names of every entry, in central-directory order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** The entry called `name`, or `undefined`. */
  entry(name: string): ZipEntry | undefined {
    return this.entries.get(name);
  }

  private need(name: string): ZipEntry {
    const entry = this.entries.get(name);
    if (!entry) throw new ZipError(`${this.path}: no entry '${name}' in the archive.`);
    return entry;
  }

  /** Offset in the archive where the stored bytes of `name` begin (after its local header). */
  dataOffset(name: string): number {
    const cached = this.dataOffsets.get(name);
    if (cached !== undefined) return cached;
    const entry = this.need(name);
    const local = new DataView(this.readAt(entry.localHeaderOffset, 30).buffer);
    if (local.getUint32(0, true) !== SIG_LOCAL) {
      throw new ZipError(`${this.path}: entry '${name}' has no local header at offset ${entry.localHeaderOffset}; the archive is corrupt.`);
    }
    const offset = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
    if (offset + entry.compressedSize > this.size) {
      throw new ZipError(`${this.path}: entry '${name}' (${entry.compressedSize} bytes at ${offset}) runs past the end of the ${this.size}-byte file; the archive is truncated.`);
    }
    this.dataOffsets.set(name, offset);
    return offset;
  }

  /** The whole content of entry `name` (inflated when DEFLATE), CRC-checked. */
  read(name: string): Uint8Array {
    const entry = this.need(name);
    const stored = this.readAt(this.dataOffset(name), entry.compressedSize);
    let bytes: Uint8Array;
    if (entry.method === 0) bytes = stored;
    else if (entry.method === 8) {
      try {
        // Copy into a fresh buffer: small zlib outputs live at odd offsets of a shared pool.
        bytes = new Uint8Array(inflateRawSync(stored));
      } catch (cause) {
        throw new ZipError(`${this.path}: entry '${name}' does not inflate (${(cause as Error).message}); the archive is corrupt.`, { cause });
      }
    } else {
      throw new ZipError(`${this.path}: entry '${name}' uses compression method ${entry.method}; only STORED (0) and DEFLATE (8) are supported.`);
    }
    if (bytes.length !== entry.size) {
      throw new ZipError(`${this.path}: entry '${name}' has ${bytes.length} bytes; its directory record says ${entry.size}. The archive is corrupt.`);
    }
    if (crc32(bytes) !== entry.crc32) throw new ZipError(`${this.path}: entry '${name}' fails its CRC-32 check; the archive is corrupt.`);
    return bytes;
  }

  /**
   * Bytes `[start, start + length)` of entry `name`. For STORED entries only that range is read
   * (no CRC check, since the whole entry is not read); DEFLATE entries are inflated whole first.
   */
  readRange(name: string, start: number, length: number): Uint8Array {
    const entry = this.need(name);
    if (start < 0 || length < 0 || start + length > entry.size) {
      throw new ZipError(`${this.path}: bytes [${start}, ${start + length}) are outside entry '${name}' (${entry.size} bytes).`);
    }
    if (entry.method === 0) {
      if (start === 0 && length === entry.size) return this.read(name);
      return this.readAt(this.dataOffset(name) + start, length);
    }
    if (this.inflated?.name !== name) this.inflated = { name, bytes: this.read(name) };
    return this.inflated.bytes.slice(start, start + length);
  }

  /** Close the file (idempotent). */
  close(): void {
    this.inflated = undefined;
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
