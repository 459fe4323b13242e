// Test helper (not published): a tiny zip writer for building archives the reader must accept or reject.
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../crc32';

/** One file to put in a test zip. */
export interface TestZipFile {
  name: string;
  data: Uint8Array;
  /** Compress with DEFLATE instead of STORED. */
  deflate?: boolean;
}

/** Build a zip archive; `zip64` forces ZIP64 extra fields and end records even for small files. */
export function makeZip(files: readonly TestZipFile[], options: { zip64?: boolean } = {}): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(f.name);
    const stored = f.deflate ? new Uint8Array(deflateRawSync(f.data)) : f.data;
    const crc = crc32(f.data);
    const method = f.deflate ? 8 : 0;
    const z64 = options.zip64 === true;
    const localExtra = new Uint8Array(z64 ? 20 : 0);
    if (z64) {
      const v = new DataView(localExtra.buffer);
      v.setUint16(0, 1, true);
      v.setUint16(2, 16, true);
      v.setBigUint64(4, BigInt(f.data.length), true);
      v.setBigUint64(12, BigInt(stored.length), true);
    }
    const local = new Uint8Array(30 + name.length + localExtra.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, z64 ? 45 : 20, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, z64 ? 0xffffffff : stored.length, true);
    lv.setUint32(22, z64 ? 0xffffffff : f.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, localExtra.length, true);
    local.set(name, 30);
    local.set(localExtra, 30 + name.length);
    const cenExtra = new Uint8Array(z64 ? 28 : 0);
    if (z64) {
      const v = new DataView(cenExtra.buffer);
      v.setUint16(0, 1, true);
      v.setUint16(2, 24, true);
      v.setBigUint64(4, BigInt(f.data.length), true);
      v.setBigUint64(12, BigInt(stored.length), true);
      v.setBigUint64(20, BigInt(offset), true);
    }
    const cen = new Uint8Array(46 + name.length + cenExtra.length);
    const cv = new DataView(cen.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, z64 ? 45 : 20, true);
    cv.setUint16(6, z64 ? 45 : 20, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, z64 ? 0xffffffff : stored.length, true);
    cv.setUint32(24, z64 ? 0xffffffff : f.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, cenExtra.length, true);
    cv.setUint32(42, z64 ? 0xffffffff : offset, true);
    cen.set(name, 46);
    cen.set(cenExtra, 46 + name.length);
    parts.push(local, stored);
    central.push(cen);
    offset += local.length + stored.length;
  }
  const cdOffset = offset;
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  parts.push(...central);
  if (options.zip64) {
    const rec = new Uint8Array(56);
    const rv = new DataView(rec.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(4, 44n, true);
    rv.setUint16(12, 45, true);
    rv.setUint16(14, 45, true);
    rv.setBigUint64(24, BigInt(files.length), true);
    rv.setBigUint64(32, BigInt(files.length), true);
    rv.setBigUint64(40, BigInt(cdSize), true);
    rv.setBigUint64(48, BigInt(cdOffset), true);
    const loc = new Uint8Array(20);
    const lv = new DataView(loc.buffer);
    lv.setUint32(0, 0x07064b50, true);
    lv.setBigUint64(8, BigInt(cdOffset + cdSize), true);
    lv.setUint32(16, 1, true);
    parts.push(rec, loc);
  }
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, options.zip64 ? 0xffff : files.length, true);
  ev.setUint16(10, options.zip64 ? 0xffff : files.length, true);
  ev.setUint32(12, options.zip64 ? 0xffffffff : cdSize, true);
  ev.setUint32(16, options.zip64 ? 0xffffffff : cdOffset, true);
  parts.push(eocd);
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
