import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPthStateDict, loadSafetensorsRaw, type RawTensor } from '@terramae/tensors';
import { sharedPath } from '@terramae/testing';
import { savePth } from './pth-writer';

const fixtures = sharedPath('fixtures', 'torch-pth');
const python = ['/usr/bin/python3'].find((p) => existsSync(p) && hasTorch(p));

function hasTorch(python: string): boolean {
  try {
    execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

const tmp = () => mkdtempSync(join(tmpdir(), 'terramae-pth-'));

describe('savePth', () => {
  it('writes a state dict our .pth reader reads back byte for byte', () => {
    const tensors: Record<string, RawTensor> = {
      'a.weight': { dtype: 'F32', shape: [2, 3], bytes: new Uint8Array(new Float32Array([1, 2, 3, 4, 5, -6]).buffer) },
      'a.count': { dtype: 'I64', shape: [], bytes: new Uint8Array(new BigInt64Array([70000n]).buffer) },
      'b.mask': { dtype: 'BOOL', shape: [3], bytes: Uint8Array.from([1, 0, 1]) },
    };
    const path = join(tmp(), 'model.pth');
    savePth(path, tensors);
    const back = loadPthStateDict(path);
    expect(Object.keys(back)).toEqual(Object.keys(tensors));
    for (const [k, t] of Object.entries(tensors)) {
      expect(back[k]!.dtype).toBe(t.dtype);
      expect(back[k]!.shape).toEqual(t.shape);
      expect(Array.from(back[k]!.bytes)).toEqual(Array.from(t.bytes));
    }
  });

  it.skipIf(!fixtures)('round-trips the mixed-dtype fixture (F16, BF16, I64, U8, 0-d)', () => {
    const { tensors } = loadSafetensorsRaw(join(fixtures!, 'expected_mixed.safetensors'));
    const path = join(tmp(), 'mixed.pth');
    savePth(path, tensors);
    const back = loadPthStateDict(path);
    for (const [k, t] of Object.entries(tensors)) {
      expect(back[k]!.dtype).toBe(t.dtype);
      expect(back[k]!.shape).toEqual(t.shape);
      expect(Buffer.from(back[k]!.bytes).equals(Buffer.from(t.bytes))).toBe(true);
    }
  });

  it.skipIf(!fixtures || !python)('is read by torch.load with the same values', () => {
    const { tensors } = loadSafetensorsRaw(join(fixtures!, 'expected_state_dict.safetensors'));
    const path = join(tmp(), 'state_dict.pth');
    savePth(path, tensors);
    const script = [
      'import sys, torch',
      'a = torch.load(sys.argv[1]); b = torch.load(sys.argv[2])',
      'assert list(a.keys()) == list(b.keys()), "keys differ"',
      'assert all(torch.equal(a[k], b[k]) and a[k].dtype == b[k].dtype for k in a), "values differ"',
      'print(len(a))',
    ].join('\n');
    const out = execFileSync(python!, ['-c', script, path, join(fixtures!, 'state_dict.pth')], { encoding: 'utf8', timeout: 120_000 });
    expect(Number(out.trim())).toBe(Object.keys(tensors).length);
  });
});
