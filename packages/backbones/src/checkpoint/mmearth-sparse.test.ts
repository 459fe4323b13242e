import * as tf from '@tensorflow/tfjs';
import { SafetensorsFile, tensorToRaw } from '@terramae/tensors';
import { sharedPath, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { perturb, randn } from '../../test/convnextv2-utils';
import { ConvNeXtV2 } from '../convnextv2/convnextv2';
import { CheckpointConversionError } from './errors';
import { loadMMEarthCheckpoint } from './load-mmearth';
import { convertMMEarthCheckpoint, convertMMEarthSparseCheckpoint, minkowskiKernelToTorch } from './mmearth-sparse';

const SMALL = { depths: [1, 1, 2, 1], dims: [8, 12, 16, 20] } as const;

/**
 * The inverse of MMEarth's remap: a dense PyTorch encoder state dict written the way the sparse
 * MinkowskiEngine encoder of an FCMAE checkpoint stores it, plus the decoder/head keys such a
 * checkpoint holds.
 */
function toSparseCheckpoint(dense: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  const conv = /^(initial_conv\.0|stem\.0|stem_orig\.0|downsample_layers\.\d\.1|stages\.\d+\.\d+\.dwconv)\.(weight|bias)$/;
  const ln = /^(initial_conv\.1|stem\.1|stem_orig\.1|downsample_layers\.\d\.0|stages\.\d+\.\d+\.norm)\.(weight|bias)$/;
  const lin = /^(stages\.\d+\.\d+\.pwconv[12])\.(weight|bias)$/;
  for (const [key, w] of Object.entries(dense)) {
    if (/^(norm|head)\./.test(key)) continue;
    let m: RegExpExecArray | null;
    if ((m = conv.exec(key))) {
      if (m[2] === 'bias') out[`encoder.${m[1]}.bias`] = w.reshape([1, w.size]);
      else if (w.shape[1] === 1 && (key.includes('dwconv') || key.startsWith('stem.'))) {
        const [c, , ks] = w.shape as [number, number, number, number];
        out[`encoder.${m[1]}.kernel`] = w.reshape([c, ks, ks]).transpose([2, 1, 0]).reshape([ks * ks, c]);
      } else {
        const [o, i, ks] = w.shape as [number, number, number, number];
        out[`encoder.${m[1]}.kernel`] = w.transpose([3, 2, 1, 0]).reshape([ks * ks, i, o]);
      }
    } else if ((m = ln.exec(key))) out[`encoder.${m[1]}.ln.${m[2]}`] = w.clone();
    else if ((m = lin.exec(key))) out[`encoder.${m[1]}.linear.${m[2]}`] = w.clone();
    else if (/grn\.(gamma|beta)$/.test(key)) out[`encoder.${key}`] = w.reshape([1, w.size]);
    else throw new Error(`test inverse: unhandled key ${key}`);
  }
  out['proj.weight'] = tf.zeros([4, 20, 1, 1]);
  out['proj.bias'] = tf.zeros([4]);
  out['mask_token'] = tf.zeros([1, 4, 1, 1]);
  out['decoder_dict.sentinel2.0.dwconv.weight'] = tf.zeros([4, 1, 7, 7]);
  out['pred_dict.sentinel2.weight'] = tf.zeros([768, 4, 1, 1]);
  out['layer_norm_tmp.weight'] = tf.ones([4]);
  return out;
}

async function expectSameDicts(got: Record<string, tf.Tensor>, want: Record<string, tf.Tensor>): Promise<void> {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const [k, w] of Object.entries(want)) {
    expect(got[k]!.shape, k).toEqual(w.shape);
    expect(Array.from(await got[k]!.data()), k).toEqual(Array.from(await w.data()));
  }
}

describe('MMEarth sparse checkpoint conversion', () => {
  beforeAll(async () => useBackend('cpu'));

  it('maps Minkowski kernels with the h/w transpose: W[o,i,h,w] = K[w·ks+h, i, o]', async () => {
    const k = tf.tensor3d([0, 1, 2, 3], [4, 1, 1]);
    const w = minkowskiKernelToTorch(k);
    expect(w.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(await w.data())).toEqual([0, 2, 1, 3]);
    const dw = minkowskiKernelToTorch(tf.tensor2d([0, 10, 1, 11, 2, 12, 3, 13], [4, 2]));
    expect(dw.shape).toEqual([2, 1, 2, 2]);
    expect(Array.from(await dw.data())).toEqual([0, 2, 1, 3, 10, 12, 11, 13]);
    expect(() => minkowskiKernelToTorch(tf.zeros([27, 2, 2]), 'encoder.x.kernel')).toThrow(/27 kernel positions.*not a square/);
    tf.dispose([k, w, dw]);
  });

  it('reproduces the dense weights of a random encoder exactly and loads into a classifier', async () => {
    const src = new ConvNeXtV2({ ...SMALL, patchSize: 16, numClasses: 5, seed: 1 });
    perturb(src, 2);
    const dense = src.torchStateDict();
    const sparse = toSparseCheckpoint(dense);
    const before = tf.memory().numTensors;
    const { stateDict, dropped } = convertMMEarthCheckpoint(sparse);
    expect([...dropped].sort()).toEqual(
      ['decoder_dict.sentinel2.0.dwconv.weight', 'layer_norm_tmp.weight', 'mask_token', 'pred_dict.sentinel2.weight', 'proj.bias', 'proj.weight'],
    );
    const encoderOnly = Object.fromEntries(Object.entries(dense).filter(([k]) => !/^(norm|head)\./.test(k)));
    await expectSameDicts(stateDict, encoderOnly);
    Object.values(stateDict).forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);

    // Into the bare encoder strictly, and into a classifier with fresh norm/head.
    const enc = new ConvNeXtV2({ ...SMALL, patchSize: 16, seed: 3 });
    const converted = convertMMEarthSparseCheckpoint(sparse);
    enc.loadTorchStateDict(converted);
    Object.values(converted).forEach((t) => t.dispose());
    const cls = new ConvNeXtV2({ ...SMALL, patchSize: 16, numClasses: 5, seed: 4 });
    const report = loadMMEarthCheckpoint(cls, sparse);
    expect(report.freshlyInitialised).toEqual(['norm.weight', 'norm.bias', 'head.weight', 'head.bias']);
    const x = randn([1, 32, 32, 12], 5) as tf.Tensor4D;
    const [a, b] = [src.forwardFeatures(x, { pyramid: true }), cls.forwardFeatures(x, { pyramid: true })];
    expect(Array.from(await a.pyramid![5]!.data())).toEqual(Array.from(await b.pyramid![5]!.data()));
    tf.dispose([x, a.pooled, b.pooled, ...a.pyramid!, ...b.pyramid!]);
    Object.values(dense).forEach((t) => t.dispose());
    Object.values(sparse).forEach((t) => t.dispose());
    [src, enc, cls].forEach((m) => m.dispose());
  });

  it('accepts raw tensors (loadPthStateDict) and dense checkpoints, and reports misfits', async () => {
    const src = new ConvNeXtV2({ ...SMALL, seed: 6 });
    perturb(src, 7);
    const dense = src.torchStateDict();
    const raw = Object.fromEntries(
      Object.entries(toSparseCheckpoint(dense)).map(([k, t]) => {
        const r = tensorToRaw(t);
        t.dispose();
        return [k, r];
      }),
    );
    const before = tf.memory().numTensors;
    const fromRaw = convertMMEarthSparseCheckpoint(raw);
    expect(tf.memory().numTensors).toBe(before + Object.keys(fromRaw).length);
    await expectSameDicts(fromRaw, dense);
    const passThrough = convertMMEarthSparseCheckpoint(Object.fromEntries(Object.entries(dense).map(([k, v]) => [`encoder.${k}`, v])));
    await expectSameDicts(passThrough, dense);
    const other = new ConvNeXtV2({ ...SMALL, inChannels: 3, seed: 8 });
    expect(() => loadMMEarthCheckpoint(other, dense)).toThrow();
    const partial = { ...dense };
    delete partial['stages.1.0.grn.gamma'];
    expect(() => loadMMEarthCheckpoint(src, partial)).toThrow(/missing \(1\): stages\.1\.0\.grn\.gamma/);
    const extra = tf.zeros([8]);
    expect(() => loadMMEarthCheckpoint(src, { ...dense, 'stages.9.0.norm.weight': extra })).toThrow(/unexpected \(1\): stages\.9\.0\.norm\.weight/);
    expect(() => loadMMEarthCheckpoint(src, { ...dense, 'stages.9.0.norm.weight': extra })).toThrow(CheckpointConversionError);
    extra.dispose();
    [fromRaw, passThrough, dense].forEach((d) => Object.values(d).forEach((t) => t.dispose()));
    src.dispose();
    other.dispose();
  });

  it("renames upstream ConvNeXt V2's stem (downsample_layers.0) to stem_orig", () => {
    const up = {
      'encoder.downsample_layers.0.0.kernel': tf.zeros([16, 3, 8]),
      'encoder.downsample_layers.0.1.ln.weight': tf.zeros([8]),
      'encoder.downsample_layers.1.0.ln.weight': tf.zeros([8]),
      'encoder.downsample_layers.1.1.kernel': tf.zeros([4, 8, 12]),
    };
    const out = convertMMEarthSparseCheckpoint(up, { upstreamStem: true });
    expect(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.shape]))).toEqual({
      'stem_orig.0.weight': [8, 3, 4, 4],
      'stem_orig.1.weight': [8],
      'downsample_layers.0.0.weight': [8],
      'downsample_layers.0.1.weight': [12, 8, 2, 2],
    });
    tf.dispose([...Object.values(up), ...Object.values(out)]);
  });

  const fixture = sharedPath('fixtures', 'parity', 'convnextv2_dense.safetensors');
  it.skipIf(!fixture)('round-trips the weights of the convnextv2_dense fixture exactly', async () => {
    const file = SafetensorsFile.open(fixture!);
    const dense: Record<string, tf.Tensor> = {};
    try {
      for (const k of file.keys()) if (k.startsWith('param/')) dense[k.slice('param/'.length)] = file.readTensor(k);
    } finally {
      file.close();
    }
    const sparse = toSparseCheckpoint(dense);
    const converted = convertMMEarthSparseCheckpoint(sparse);
    await expectSameDicts(converted, Object.fromEntries(Object.entries(dense).filter(([k]) => !/^(norm|head)\./.test(k))));
    [dense, sparse, converted].forEach((d) => Object.values(d).forEach((t) => t.dispose()));
  });
});
