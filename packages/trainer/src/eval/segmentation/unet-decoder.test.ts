import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2, type Backbone } from '@terramae/backbones';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { UNetDecoder, unetDecoderFor, unetSkips } from './unet-decoder';

describe('UNetDecoder parameters', () => {
  beforeAll(() => useBackend('cpu'));
  it('has the reference names and PyTorch shapes for ConvNeXt V2 atto', () => {
    const d = new UNetDecoder({ dims: [40, 80, 160, 320], stemStride: 1, numClasses: 7 });
    const sd = d.torchStateDict();
    const shapes = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      'upsample_layers.0.conv.weight': [160, 320, 3, 3], 'upsample_layers.0.conv.bias': [160], 'upsample_layers.0.norm.weight': [160], 'upsample_layers.0.norm.bias': [160],
      'upsample_layers.1.conv.weight': [80, 320, 3, 3], 'upsample_layers.1.conv.bias': [80], 'upsample_layers.1.norm.weight': [80], 'upsample_layers.1.norm.bias': [80],
      'upsample_layers.2.conv.weight': [40, 160, 3, 3], 'upsample_layers.2.conv.bias': [40], 'upsample_layers.2.norm.weight': [40], 'upsample_layers.2.norm.bias': [40],
      'upsample_layers.3.conv.weight': [40, 80, 3, 3], 'upsample_layers.3.conv.bias': [40], 'upsample_layers.3.norm.weight': [40], 'upsample_layers.3.norm.bias': [40],
      'initial_conv_upsample.0.weight': [20, 80, 3, 3], 'initial_conv_upsample.0.bias': [20], 'initial_conv_upsample.1.weight': [20], 'initial_conv_upsample.1.bias': [20],
      'head.weight': [7, 20, 1, 1], 'head.bias': [7],
    });
    tf.dispose(Object.values(sd));
    d.dispose();
    const orig = new UNetDecoder({ dims: [40, 80, 160, 320], stemStride: 4, numClasses: 2, initialConvSkip: false });
    expect(orig.stateDict()['initial_conv_upsample.0.weight']!.shape).toEqual([3, 3, 40, 20]);
    orig.dispose();
  });
  it('explains what it cannot decode', () => {
    expect(() => unetDecoderFor({ layout: 'tokens' } as unknown as Backbone, 2)).toThrow(/4-stage grid backbone/);
    expect(() => unetSkips({ pooled: undefined as never })).toThrow(/no pyramid/);
  });
});

describe.each(testBackends())('UNetDecoder on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('maps a ConvNeXt V2 pyramid to full-resolution logits, differentiably, without leaks', () => {
    const backbone = new ConvNeXtV2({ depths: [1, 1, 1, 1], dims: [8, 16, 32, 64], inChannels: 3, patchSize: 16, seed: 1 });
    const decoder = unetDecoderFor(backbone, 3);
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const vars = [...decoder.trainableVariables().values()];
    const { value, grads } = tf.variableGrads(() => {
      const features = backbone.forwardFeatures(x, { pyramid: true });
      const logits = decoder.apply(unetSkips(features));
      expect(logits.shape).toEqual([2, 16, 16, 3]);
      return logits.square().mean() as tf.Scalar;
    }, vars);
    expect(Object.keys(grads)).toHaveLength(vars.length);
    for (const g of Object.values(grads)) expect(tf.tidy(() => g.abs().sum().dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    // the variableGrads scope above leaks nothing besides what we disposed
    expect(tf.memory().numTensors).toBe(before);
    const wrong = tf.zeros([1, 20, 20, 3]) as tf.Tensor4D;
    expect(() => tf.tidy(() => decoder.apply(unetSkips(backbone.forwardFeatures(wrong, { pyramid: true }))))).toThrow(/multiple of the patch size/);
    tf.dispose([x, wrong]);
    decoder.dispose();
    backbone.dispose();
  });
});
