import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@terramae/testing';
import { createBackbone, listBackbones } from '../registry';
import { VIT_BACKBONES, registerVitBackbones } from './register';
import { VisionTransformer } from './vision-transformer';

describe('ViT registry entries', () => {
  beforeAll(() => useBackend('cpu'));

  it('registers vit_tiny … vit_huge with paper, license and parameter counts', () => {
    const vits = listBackbones().filter((b) => b.metadata.family === 'vit');
    expect(vits.map((b) => b.name)).toEqual(['vit_tiny', 'vit_small', 'vit_base', 'vit_large', 'vit_huge']);
    for (const b of vits) {
      expect(b.metadata.paper).toMatch(/Masked Autoencoders/);
      expect(b.metadata.license).toMatch(/CC BY-NC 4.0/);
      expect(b.metadata.parameterCount).toBeGreaterThan(5e6);
      expect(b.metadata.referenceConfig).toMatchObject({ inChannels: 3, imageSize: 224, posEmbed: 'sincos' });
    }
    expect(vits.find((b) => b.name === 'vit_base')?.metadata.parameterCount).toBe(85_647_360);
  });

  it('registering again is a no-op (no duplicate warning)', () => {
    const n = listBackbones().length;
    registerVitBackbones();
    expect(listBackbones().length).toBe(n);
    expect(VIT_BACKBONES.length).toBe(5);
  });

  it('createBackbone passes the options through', () => {
    const m = createBackbone('vit_tiny', { patchSize: 8, inChannels: 6, imageSize: 32, posEmbed: 'box' });
    expect(m).toBeInstanceOf(VisionTransformer);
    expect([m.layout, m.dim, m.patchSize, m.inChannels]).toEqual(['tokens', 192, 8, 6]);
    const out = m.forward(tf.zeros([1, 32, 32, 6]) as tf.Tensor4D);
    expect(out.features.shape).toEqual([1, 17, 192]);
    out.features.dispose();
    m.dispose();
  });
});
