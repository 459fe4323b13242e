import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2, type Backbone } from '@terramae/backbones';
import { useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerDecayFor } from './backbone-layer-decay';

describe('layerDecayFor', () => {
  beforeAll(() => useBackend('cpu'));
  it('uses the ConvNeXt rule for ConvNeXt V2', () => {
    const m = new ConvNeXtV2({ depths: [1, 1, 2, 1], dims: [4, 4, 4, 4], inChannels: 2 });
    const ld = layerDecayFor(m, 0.9);
    expect(ld.numLayers).toBe(5);
    expect(ld.layerId('stages.2.1.dwconv.weight')).toBe(1 + 1 + 1 + 1);
    expect(ld.layerId('head.weight')).toBe(6);
    m.dispose();
  });
  it('uses the ViT rule for token backbones and explains an unknown one', () => {
    expect(layerDecayFor({ layout: 'tokens', config: { depth: 3 } } as unknown as Backbone, 0.75).layerId('blocks.2.attn.qkv.weight')).toBe(3);
    expect(() => layerDecayFor({ layout: 'grid' } as unknown as Backbone, 0.9)).toThrow(/pass a LayerDecay/);
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});
