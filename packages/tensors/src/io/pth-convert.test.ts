import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { sharedPath, testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTmpDir } from './__tests__/tmp';
import { dtypeItemSize } from './dtype';
import { PthError } from './errors';
import { convertPthToSafetensors } from './pth-convert';
import { rawToFloat32Array } from './raw-tensor';
import { SafetensorsFile } from './safetensors-file';
import { loadSafetensors, loadSafetensorsRaw } from './safetensors-io';

const dir = useTmpDir();
const fixtures = sharedPath('fixtures', 'torch-pth');
beforeAll(() => useBackend('cpu'));

describe.skipIf(!fixtures)('convertPthToSafetensors', () => {
  const f = (name: string): string => join(fixtures!, name);
  const cases: [string, string, string[]][] = [
    ['state_dict.pth', 'expected_state_dict.safetensors', []],
    ['checkpoint.pth', 'expected_state_dict.safetensors', ['model']],
    ['mixed.pth', 'expected_mixed.safetensors', []],
  ];
  for (const [pth, expected, keyPath] of cases) {
    it(`${pth} -> safetensors keeps names, dtypes, shapes and bytes exactly`, () => {
      const out = join(dir, pth.replace('.pth', '.safetensors'));
      const result = convertPthToSafetensors(f(pth), out);
      expect(result.keyPath).toEqual(keyPath);
      const got = loadSafetensorsRaw(out);
      const want = loadSafetensorsRaw(f(expected));
      expect(Object.keys(got.tensors).sort()).toEqual(Object.keys(want.tensors).sort());
      expect(result.names.sort()).toEqual(Object.keys(want.tensors).sort());
      for (const [name, w] of Object.entries(want.tensors)) {
        const g = got.tensors[name]!;
        expect({ name, dtype: g.dtype, shape: g.shape }).toEqual({ name, dtype: w.dtype, shape: w.shape });
        expect(Buffer.from(g.bytes).equals(Buffer.from(w.bytes)), `bytes of '${name}'`).toBe(true);
      }
      expect(got.metadata).toMatchObject({ format: 'pt', source: pth });
      if (keyPath.length) expect(got.metadata.source_key).toBe(keyPath.join('/'));
      // The written file is aligned: every tensor starts at a multiple of its item size.
      const file = SafetensorsFile.open(out);
      try {
        for (const name of file.keys()) {
          const info = file.info(name);
          expect((file.header.dataStart + info.dataOffsets[0]) % dtypeItemSize(info.dtype), name).toBe(0);
        }
      } finally {
        file.close();
      }
    });
  }
  it('merges user metadata and refuses what is not a state dict', () => {
    const out = join(dir, 'meta.safetensors');
    convertPthToSafetensors(f('mixed.pth'), out, { metadata: { note: 'x', source: 'renamed' } });
    expect(loadSafetensorsRaw(out).metadata).toEqual({ format: 'pt', source: 'renamed', note: 'x' });
    expect(() => convertPthToSafetensors(f('checkpoint.pth'), join(dir, 'opt.safetensors'), { key: 'optimizer' })).toThrow(PthError);
  });
  for (const backend of testBackends()) {
    it(`loads the converted mixed file as tf tensors (${backend}) without leaking`, async () => {
      await useBackend(backend);
      const out = join(dir, `mixed-${backend}.safetensors`);
      convertPthToSafetensors(f('mixed.pth'), out);
      const raw = loadSafetensorsRaw(out).tensors;
      const before = tf.memory().numTensors;
      const tensors = loadSafetensors(out);
      expect(tensors.half!.dtype).toBe('float32');
      expect(Array.from(tensors.half!.dataSync())).toEqual(Array.from(rawToFloat32Array(raw.half!)));
      expect(Array.from(tensors.bf16!.dataSync())).toEqual(Array.from(rawToFloat32Array(raw.bf16!)));
      expect(tensors.long!.dtype).toBe('int32');
      expect(tensors.byte!.dtype).toBe('int32');
      expect(tensors.scalar!.rank).toBe(0);
      expect(tf.memory().numTensors).toBe(before + Object.keys(tensors).length);
      tf.dispose(Object.values(tensors));
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
