import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from '@terramae/testing';
import { describe, expect, it } from 'vitest';
import { makeZip } from './__tests__/zip-writer';
import { useTmpDir } from './__tests__/tmp';
import { PthError } from './errors';
import type { PickleDict, PickleObject } from './pickle';
import { PthFile, loadPthStateDict, readPth } from './pth-file';
import { type RawTensor, isRawTensor, rawToNumberArray } from './raw-tensor';
import { loadSafetensorsRaw } from './safetensors-io';
import { PthTensorRef } from './torch-pickle';
import { ZipReader } from './zip-reader';

const dir = useTmpDir();
const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));

function expectSameTensors(got: Record<string, RawTensor>, want: Record<string, RawTensor>): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [name, w] of Object.entries(want)) {
    const g = got[name]!;
    expect({ name, dtype: g.dtype, shape: g.shape }).toEqual({ name, dtype: w.dtype, shape: w.shape });
    expect(Buffer.from(g.bytes).equals(Buffer.from(w.bytes)), `bytes of '${name}'`).toBe(true);
  }
}

function writeFile(name: string, data: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/** A .pth-like zip with the given data.pkl (hex) and storages. */
function syntheticPth(name: string, pickleHex: string, storages: Record<string, Uint8Array> = {}): string {
  return writeFile(
    name,
    makeZip([
      { name: 'arc/data.pkl', data: hex(pickleHex) },
      ...Object.entries(storages).map(([k, data]) => ({ name: `arc/data/${k}`, data })),
      { name: 'arc/version', data: new TextEncoder().encode('3\n') },
    ]),
  );
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

// Synthetic data.pkl files written by CPython's pickle (protocol 2) with stand-in torch globals.
// OrderedDict{'a': Parameter(FloatStorage '0' [2]), 'n': 5}
const MIXED_PKL =
  '800263636f6c6c656374696f6e730a4f726465726564446963740a71002952710128580100000061710263746f7263682e5f7574696c730a5f72656275696c645f706172616d657465720a710363746f7263682e5f7574696c730a5f72656275696c645f74656e736f725f76320a71042828580700000073746f72616765710563746f7263680a466c6f617453746f726167650a71065801000000307107580300000063707571084b02747109514b004b0285710a4b0185710b8968002952710c74710d52710e8868002952710f87711052711158010000006e71124b05752e';
// {'c': tensor of torch.ComplexFloatStorage}
const COMPLEX_PKL =
  '80027d7100580100000063710163746f7263682e5f7574696c730a5f72656275696c645f74656e736f725f76320a71022828580700000073746f72616765710363746f7263680a436f6d706c6578466c6f617453746f726167650a71045801000000307105580300000063707571064b02747107514b004b028571084b018571098963636f6c6c656374696f6e730a4f726465726564446963740a710a2952710b74710c52710d732e';
const LIST_PKL = '80025d7100284b014b02652e'; // [1, 2]
const NOKEYS_PKL = '80027d71002858070000007765696768747371014b01580500000065706f636871024b02752e'; // {'weights': 1, 'epoch': 2}

const fixtures = sharedPath('fixtures', 'torch-pth');
describe.skipIf(!fixtures)('PyTorch .pth fixtures', () => {
  const f = (name: string): string => join(fixtures!, name);

  it('state_dict.pth reproduces expected_state_dict.safetensors exactly', () => {
    expectSameTensors(loadPthStateDict(f('state_dict.pth')), loadSafetensorsRaw(f('expected_state_dict.safetensors')).tensors);
  });
  it("checkpoint.pth: 'model' is found automatically despite the argparse.Namespace in 'args'", () => {
    const want = loadSafetensorsRaw(f('expected_state_dict.safetensors')).tensors;
    expectSameTensors(loadPthStateDict(f('checkpoint.pth')), want);
    expectSameTensors(loadPthStateDict(f('checkpoint.pth'), { key: 'model' }), want);
    expectSameTensors(loadPthStateDict(f('checkpoint.pth'), { key: ['model'] }), want);
  });
  it('mixed.pth (F16, BF16, I64, U8, 0-d, offset view, transposed) reproduces expected_mixed.safetensors exactly', () => {
    const got = loadPthStateDict(f('mixed.pth'));
    expectSameTensors(got, loadSafetensorsRaw(f('expected_mixed.safetensors')).tensors);
    // The view and the transpose really are views of 'base' [6, 4].
    const base = rawToNumberArray(got.base!);
    expect(rawToNumberArray(got.view_rows!)).toEqual(base.slice(8, 20));
    const t = rawToNumberArray(got.transposed!);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 6; j++) expect(t[i * 6 + j]).toBe(base[j * 4 + i]);
    expect(got.scalar!.shape).toEqual([]);
  });
  it('exposes the unpickled checkpoint: tensors as refs, args as an opaque object', () => {
    const pth = PthFile.open(f('checkpoint.pth'));
    try {
      expect(pth.archiveName).toBe('checkpoint');
      expect(pth.version).toBe('3');
      expect(pth.isTorchScript).toBe(false);
      const root = pth.root as PickleDict;
      expect([...root.keys()]).toEqual(['model', 'optimizer', 'epoch', 'args']);
      expect(root.get('epoch')).toBe(3);
      const args = root.get('args') as PickleObject;
      expect(args.cls.qualifiedName).toBe('argparse.Namespace');
      expect(args.get('model')).toBe('convnextv2_atto');
      expect(args.get('mask_ratio')).toBe(0.6);
      const model = root.get('model') as PickleDict;
      expect(model.className).toBe('collections.OrderedDict');
      const ref = model.get('stem.0.weight') as PthTensorRef;
      expect(ref).toBeInstanceOf(PthTensorRef);
      expect(pth.readTensor(ref, 'stem.0.weight').shape).toEqual(ref.shape);
      const groups = (root.get('optimizer') as PickleDict).get('param_groups') as PickleDict[];
      expect(groups[0]!.get('lr')).toBe(0.001);
    } finally {
      pth.close();
    }
  });
  it('readPth materialises every tensor in place, optimizer state included', () => {
    const all = readPth(f('checkpoint.pth'));
    const root = all.root as PickleDict;
    const model = root.get('model') as PickleDict;
    expect([...model.values()].every(isRawTensor)).toBe(true);
    const state = ((root.get('optimizer') as PickleDict).get('state') as PickleDict).get(0) as PickleDict;
    expect(isRawTensor(state.get('exp_avg'))).toBe(true);
    expect(all.tensors.length).toBe(model.size + 3);
    expect(all.tensors[0]!.path).toEqual(['model', [...model.keys()][0]]);
  });
  it('explains when the chosen entry is not a state dict', () => {
    const e = errorOf(() => loadPthStateDict(f('checkpoint.pth'), { key: 'optimizer' }));
    expect(e).toBeInstanceOf(PthError);
    expect(e.message).toContain(f('checkpoint.pth'));
    expect(e.message).toMatch(/checkpoint\['optimizer'\] is not a state dict: 2 of its 2 entries are not tensors.*"state" \(dict with 1 entries\)/);
    const missing = errorOf(() => loadPthStateDict(f('checkpoint.pth'), { key: 'ema' }));
    expect(missing.message).toMatch(/has no key 'ema'; its keys are \["model", "optimizer", "epoch", "args"\]/);
    const scalar = errorOf(() => loadPthStateDict(f('checkpoint.pth'), { key: 'epoch' }));
    expect(scalar.message).toMatch(/checkpoint\['epoch'\] is a int 3, not a state dict/);
  });
  it('reports missing and short storages by tensor name', () => {
    const zip = ZipReader.open(f('mixed.pth'));
    const files = zip.names().map((name) => ({ name, data: zip.read(name) }));
    zip.close();
    const noStorage = writeFile('no-storage.pth', makeZip(files.filter((x) => x.name !== 'mixed/data/3')));
    expect(errorOf(() => loadPthStateDict(noStorage)).message).toMatch(
      new RegExp(`${noStorage}: tensor 'byte' \\(U8 \\[3\\], storage '3'\\): the archive has no mixed/data/3`),
    );
    const short = writeFile('short.pth', makeZip(files.map((x) => (x.name === 'mixed/data/4' ? { ...x, data: x.data.subarray(0, 40) } : x))));
    expect(errorOf(() => loadPthStateDict(short)).message).toMatch(/tensor 'base' .*mixed\/data\/4 has 40 bytes but the storage needs 96; the checkpoint is truncated/);
    // DEFLATE-compressed storages read the same.
    const deflated = writeFile('deflated.pth', makeZip(files.map((x) => ({ ...x, deflate: true }))));
    expectSameTensors(loadPthStateDict(deflated), loadPthStateDict(f('mixed.pth')));
    const zip64 = writeFile('zip64.pth', makeZip(files, { zip64: true }));
    expectSameTensors(loadPthStateDict(zip64), loadPthStateDict(f('mixed.pth')));
  });
  it('rejects a truncated checkpoint with the file name', () => {
    const bytes = readFileSync(f('mixed.pth'));
    const cut = writeFile('cut.pth', bytes.subarray(0, 1200));
    const e = errorOf(() => loadPthStateDict(cut));
    expect(e).toBeInstanceOf(PthError);
    expect(e.message).toContain(cut);
  });
});

describe('PthFile error paths', () => {
  it('rejects a file that is not a zip, naming it', () => {
    const path = writeFile('random.pth', new Uint8Array(64).map((_, i) => i + 1));
    const e = errorOf(() => PthFile.open(path));
    expect(e).toBeInstanceOf(PthError);
    expect(e.message).toBe(`${path}: not a PyTorch zip checkpoint (it starts with bytes 01 02 03 04, not the zip signature 50 4b 03 04).`);
  });
  it('recognises the legacy (pre-1.6) pickle format and says how to fix it', () => {
    const path = writeFile('legacy.pth', new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]));
    expect(errorOf(() => PthFile.open(path)).message).toMatch(new RegExp(`${path}: this is a legacy \\(pre-1.6, non-zip\\) torch.save file.*resave it with a recent PyTorch`));
  });
  it('rejects an empty file and a missing file', () => {
    const empty = writeFile('empty.pth', new Uint8Array(0));
    expect(errorOf(() => PthFile.open(empty)).message).toBe(`${empty}: the file is empty; it is not a PyTorch checkpoint.`);
    expect(errorOf(() => PthFile.open(join(dir, 'absent.pth'))).message).toMatch(/absent\.pth: cannot open checkpoint/);
  });
  it('rejects a zip without data.pkl, listing its entries', () => {
    const path = writeFile('nopkl.pth', makeZip([{ name: 'arc/version', data: new TextEncoder().encode('3\n') }]));
    const e = errorOf(() => PthFile.open(path));
    expect(e).toBeInstanceOf(PthError);
    expect(e.message).toBe(`${path}: the zip has no <archive>/data.pkl, so it is not a torch.save checkpoint (entries: 'arc/version').`);
  });
  it('rejects a corrupt data.pkl with the file name', () => {
    const path = syntheticPth('badpkl.pth', MIXED_PKL.slice(0, 100));
    const e = errorOf(() => PthFile.open(path));
    expect(e).toBeInstanceOf(PthError);
    expect(e.message).toMatch(new RegExp(`^${path} \\(data.pkl\\): the pickle is truncated`));
  });
  it('names an unsupported storage class', () => {
    const path = syntheticPth('complex.pth', COMPLEX_PKL, { '0': new Uint8Array(16) });
    expect(errorOf(() => PthFile.open(path)).message).toMatch(new RegExp(`${path}: storage class torch.ComplexFloatStorage is not supported`));
  });
  it('reads parameters and can skip non-tensor entries', () => {
    const path = syntheticPth('params.pth', MIXED_PKL, { '0': new Uint8Array(new Float32Array([1.5, -2]).buffer) });
    const pth = PthFile.open(path);
    try {
      const ref = (pth.root as PickleDict).get('a') as PthTensorRef;
      expect(ref.isParameter).toBe(true);
      expect(ref.requiresGrad).toBe(true);
      expect(errorOf(() => pth.stateDict()).message).toMatch(/none of 'model', 'state_dict'/);
      expect(errorOf(() => pth.stateDict({ key: [] })).message).toMatch(/checkpoint is not a state dict: 1 of its 2 entries are not tensors keyed by name, e.g. "n" \(int 5\)/);
      const sd = pth.stateDict({ nonTensors: 'skip' });
      expect(Object.keys(sd)).toEqual(['a']);
      expect(rawToNumberArray(sd.a!)).toEqual([1.5, -2]);
    } finally {
      pth.close();
    }
  });
  it('byte-swaps storages of archives saved on big-endian machines', () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -2, false);
    const path = writeFile(
      'big-endian.pth',
      makeZip([
        { name: 'arc/data.pkl', data: hex(MIXED_PKL) },
        { name: 'arc/byteorder', data: new TextEncoder().encode('big') },
        { name: 'arc/data/0', data: be },
      ]),
    );
    const sd = loadPthStateDict(path, { nonTensors: 'skip' });
    expect(sd.a!.bytes).toEqual(new Uint8Array(new Float32Array([1.5, -2]).buffer));
  });
  it('says when the root is not a dict or has no state dict key', () => {
    const list = syntheticPth('list.pth', LIST_PKL);
    expect(errorOf(() => loadPthStateDict(list)).message).toMatch(new RegExp(`${list}: the checkpoint holds a list/tuple of 2, not a state dict`));
    const nokeys = syntheticPth('nokeys.pth', NOKEYS_PKL);
    expect(errorOf(() => loadPthStateDict(nokeys)).message).toMatch(
      new RegExp(`${nokeys}: the checkpoint is a dict with keys \\["weights", "epoch"\\] and none of 'model', 'state_dict', 'model_state', 'model_state_dict'; pass \\{ key`),
    );
  });
});
