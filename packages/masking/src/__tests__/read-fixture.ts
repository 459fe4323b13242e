// Test-only reader of the parity fixtures' safetensors files (F32 / I64 / U8 / I32), host arrays.
// TODO(lead): switch to `loadSafetensorsRaw` from @terramae/tensors once its io module is exported.
import { readFileSync } from 'node:fs';

export interface FixtureArray {
  readonly shape: number[];
  readonly data: Float32Array | Int32Array | Uint8Array;
}

export function readFixture(path: string): Record<string, FixtureArray> {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const out: Record<string, FixtureArray> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, e] = info.data_offsets;
    const chunk = bytes.subarray(8 + n + b, 8 + n + e);
    const copy = new Uint8Array(chunk).buffer;
    let data: Float32Array | Int32Array | Uint8Array;
    if (info.dtype === 'F32') data = new Float32Array(copy);
    else if (info.dtype === 'I32') data = new Int32Array(copy);
    else if (info.dtype === 'U8') data = new Uint8Array(copy);
    else if (info.dtype === 'I64') data = Int32Array.from(new BigInt64Array(copy), (v) => Number(v));
    else continue;
    out[name] = { shape: info.shape, data };
  }
  return out;
}
