import * as tf from '@tensorflow/tfjs';
import { Rng } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { FCMAE_DECODER_DEFAULTS, FcmaeDecoder, ImageLevelNorm, fcmaeConvInitStd, resolveFcmaeDecoderConfig } from './fcmae-decoder';

for (const backend of testBackends()) {
  describe(`FcmaeDecoder (${backend})`, () => {
    beforeAll(() => useBackend(backend));

    it('has the reference parameter names and PyTorch shapes', () => {
      const d = new FcmaeDecoder({ inDim: 6, dim: 8, depth: 2, rng: new Rng(0) });
      const names = d.namedParameters().map((p) => p.name);
      expect(names.slice(0, 3)).toEqual(['proj.weight', 'proj.bias', 'mask_token']);
      expect(names).toContain('decoder.1.grn.gamma');
      const torch = d.torchStateDict();
      expect(torch['proj.weight']!.shape).toEqual([8, 6, 1, 1]);
      expect(torch['mask_token']!.shape).toEqual([1, 8, 1, 1]);
      expect(torch['decoder.0.dwconv.weight']!.shape).toEqual([8, 1, 7, 7]);
      tf.dispose(Object.values(torch));
      d.dispose();
    });

    it('projects visible cells and fills hidden cells with the mask token (depth 0)', () => {
      const before = tf.memory().numTensors;
      const d = new FcmaeDecoder({ inDim: 3, dim: 4, depth: 0, rng: new Rng(1) });
      const x = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const mask = tf.tensor2d([[1, 0, 0, 1], [0, 0, 0, 0]]);
      const y = d.forward(x, mask);
      const sd = d.stateDict();
      const [token, proj0] = tf.tidy(() => [
        Array.from(sd['mask_token']!.dataSync()),
        Array.from(x.slice([0, 0, 1, 0], [1, 1, 1, 3]).reshape([1, 3]).matMul(sd['proj.weight']!.reshape([3, 4])).add(sd['proj.bias']!).dataSync()),
      ]);
      const out = tf.tidy(() => y.arraySync());
      out[0]![0]![0]!.forEach((v, i) => expect(v).toBeCloseTo(token[i]!, 6));
      out[0]![1]![1]!.forEach((v, i) => expect(v).toBeCloseTo(token[i]!, 6));
      out[0]![0]![1]!.forEach((v, i) => expect(v).toBeCloseTo(proj0[i]!, 5));
      tf.dispose([x, mask, y]);
      d.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('pools with one LayerNorm over every cell', () => {
      const norm = new ImageLevelNorm(4);
      const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 5) as tf.Tensor4D;
      const pooled = norm.pool(x);
      expect(pooled.shape).toEqual([2, 4]);
      // unit-scale LN output has zero mean over channels at every cell, so the pooled mean is 0
      expect(tf.tidy(() => pooled.sum(1).abs().max().dataSync()[0])).toBeLessThan(1e-5);
      tf.dispose([x, pooled]);
      norm.dispose();
    });
  });
}

describe('FCMAE conv init (decoder.convInit)', () => {
  beforeAll(() => useBackend('cpu'));
  const std = (t: tf.Tensor) => tf.tidy(() => Math.sqrt(t.square().mean().dataSync()[0] as number));
  const maxAbs = (t: tf.Tensor) => tf.tidy(() => t.abs().max().dataSync()[0] as number);

  it("'fcmae' draws proj and every dwconv with timm's default std 1 (truncated at ±2), as FCMAE._init_weights runs; linears keep 0.02", () => {
    const code = new FcmaeDecoder({ inDim: 64, dim: 64, depth: 1, convInitStd: fcmaeConvInitStd('fcmae'), rng: new Rng(0) });
    const sd = code.stateDict();
    // a N(0, 1) truncated at ±2 has std ≈ 0.88
    expect(std(sd['proj.weight']!)).toBeGreaterThan(0.8);
    expect(maxAbs(sd['proj.weight']!)).toBeLessThanOrEqual(2);
    expect(std(sd['decoder.0.dwconv.weight']!)).toBeGreaterThan(0.8);
    expect(std(sd['decoder.0.pwconv1.weight']!)).toBeLessThan(0.03);
    expect(std(sd['mask_token']!)).toBeLessThan(0.03);
    code.dispose();
    const spec = new FcmaeDecoder({ inDim: 64, dim: 64, depth: 1, rng: new Rng(0) });
    expect(std(spec.stateDict()['proj.weight']!)).toBeLessThan(0.03);
    expect(std(spec.stateDict()['decoder.0.dwconv.weight']!)).toBeLessThan(0.03);
    spec.dispose();
    expect(FCMAE_DECODER_DEFAULTS.convInit).toBe('std-0.02');
    expect(() => resolveFcmaeDecoderConfig({ convInit: 'xavier' as never })).toThrow(/convInit/);
  });
});
