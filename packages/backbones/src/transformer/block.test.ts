import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, gelu, layerNorm } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { TransformerBlock } from './block';

/** The block written out head by head with plain tf ops (a second, independent composition). */
function reference(block: TransformerBlock, x: tf.Tensor3D, heads: number): tf.Tensor {
  const p = block.stateDict();
  const [b, n, d] = x.shape;
  const hd = d / heads;
  const dense = (t: tf.Tensor, w: string) => tf.matMul(t.reshape([-1, t.shape[t.rank - 1]!]), p[`${w}.weight`]!).add(p[`${w}.bias`]!).reshape([b, n, -1]);
  const h1 = layerNorm(x, p['norm1.weight'] as tf.Tensor1D, p['norm1.bias'] as tf.Tensor1D, 1e-6);
  const qkv = dense(h1, 'attn.qkv');
  const outs: tf.Tensor[] = [];
  for (let i = 0; i < heads; i++) {
    const q = qkv.slice([0, 0, i * hd], [b, n, hd]);
    const k = qkv.slice([0, 0, d + i * hd], [b, n, hd]);
    const v = qkv.slice([0, 0, 2 * d + i * hd], [b, n, hd]);
    outs.push(tf.matMul(tf.softmax(tf.matMul(q, k, false, true).div(Math.sqrt(hd))), v));
  }
  const y = x.add(dense(tf.concat(outs, 2), 'attn.proj'));
  const h2 = layerNorm(y, p['norm2.weight'] as tf.Tensor1D, p['norm2.bias'] as tf.Tensor1D, 1e-6);
  return y.add(dense(gelu(dense(h2, 'mlp.fc1')), 'mlp.fc2'));
}

for (const backend of testBackends()) {
  describe(`TransformerBlock on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('has timm parameter names and PyTorch shapes', () => {
      const block = new TransformerBlock({ dim: 16, numHeads: 2, rng: new Rng(0) });
      const shapes = Object.fromEntries(Object.entries(block.torchStateDict()).map(([k, v]) => [k, v.shape]));
      expect(shapes).toEqual({
        'norm1.weight': [16],
        'norm1.bias': [16],
        'attn.qkv.weight': [48, 16],
        'attn.qkv.bias': [48],
        'attn.proj.weight': [16, 16],
        'attn.proj.bias': [16],
        'norm2.weight': [16],
        'norm2.bias': [16],
        'mlp.fc1.weight': [64, 16],
        'mlp.fc1.bias': [64],
        'mlp.fc2.weight': [16, 64],
        'mlp.fc2.bias': [16],
      });
      tf.dispose(Object.values(block.torchStateDict()));
      block.dispose();
    });

    it('initialises as MAE: xavier-uniform weights within bound, zero biases, LayerNorm (1, 0)', () => {
      const block = new TransformerBlock({ dim: 16, numHeads: 2, rng: new Rng(0) });
      const sd = block.stateDict();
      const absMax = (k: string) => tf.tidy(() => sd[k]!.abs().max().dataSync()[0]!);
      expect(absMax('attn.qkv.weight')).toBeLessThanOrEqual(Math.sqrt(6 / (16 + 48)));
      expect(absMax('attn.qkv.weight')).toBeGreaterThan(0.8 * Math.sqrt(6 / (16 + 48)));
      expect(absMax('mlp.fc1.weight')).toBeLessThanOrEqual(Math.sqrt(6 / (16 + 64)));
      for (const k of ['attn.qkv.bias', 'attn.proj.bias', 'mlp.fc1.bias', 'norm1.bias']) expect(absMax(k)).toBe(0);
      expect([...sd['norm2.weight']!.dataSync()].every((v) => v === 1)).toBe(true);
      block.dispose();
    });

    it('equals the head-by-head composition (randomised weights), without leaks', () => {
      const block = new TransformerBlock({ dim: 24, numHeads: 3, rng: new Rng(3) });
      const rng = new Rng(9);
      const perturbed = tf.tidy(() => Object.fromEntries(Object.entries(block.stateDict()).map(([k, v]) => [k, v.add(tf.tensor(rng.normalArray(v.size, 0, 0.1), v.shape))])));
      block.loadStateDict(perturbed);
      tf.dispose(Object.values(perturbed));
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomNormal([2, 7, 24], 0, 1, 'float32', 5) as tf.Tensor3D;
        const diff = block.forward(x).sub(reference(block, x, 3)).abs().max().dataSync()[0]!;
        expect(diff).toBeLessThan(1e-5);
      });
      expect(tf.memory().numTensors).toBe(before);
      block.dispose();
    });

    it('applies drop path only in training mode', () => {
      const block = new TransformerBlock({ dim: 8, numHeads: 2, dropPath: 0.5, rng: new Rng(1), dropPathRng: new Rng(2) });
      tf.tidy(() => {
        const x = tf.randomNormal([16, 3, 8], 0, 1, 'float32', 6) as tf.Tensor3D;
        block.eval();
        const e1 = block.forward(x);
        const e2 = block.forward(x);
        expect(e1.sub(e2).abs().max().dataSync()[0]).toBe(0);
        block.train();
        const t = block.forward(x);
        expect(t.sub(e1).abs().max().dataSync()[0]).toBeGreaterThan(1e-3);
      });
      block.dispose();
    });
  });
}
