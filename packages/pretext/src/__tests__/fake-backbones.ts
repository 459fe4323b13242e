// Tiny fake backbones for tests of the composite model and the tasks (not published).
import * as tf from '@tensorflow/tfjs';
import type { Backbone, BackboneFeatures, MaskedForwardOptions } from '@terramae/backbones';
import { Module, gatherTokens, linear, patchify, truncNormal, zerosInit, Rng, type EncoderOutput } from '@terramae/tensors';

/** A grid encoder: one patch-linear layer to a `[B, H/p, W/p, dim]` map, zero at hidden cells (FCMAE style). */
export class FakeGridBackbone extends Module implements Backbone {
  readonly layout = 'grid' as const;
  private readonly w: tf.Variable;
  private readonly b: tf.Variable;
  constructor(
    readonly inChannels: number,
    readonly dim: number,
    readonly patchSize: number,
    seed = 0,
  ) {
    super();
    const rng = new Rng(seed);
    this.w = this.param('embed.weight', truncNormal([patchSize * patchSize * inChannels, dim], rng, 0.2));
    this.b = this.param('embed.bias', truncNormal([dim], rng, 0.2));
  }
  outputGrid(height: number, width: number): [number, number] {
    if (height % this.patchSize || width % this.patchSize) throw new RangeError(`${height}×${width} is not a multiple of ${this.patchSize}`);
    return [height / this.patchSize, width / this.patchSize];
  }
  forward(x: tf.Tensor4D, options: MaskedForwardOptions = {}): EncoderOutput {
    const [n, hh, ww] = x.shape;
    const [h, w] = this.outputGrid(hh, ww);
    const features = tf.tidy(() => {
      let f = linear(patchify(x, this.patchSize), this.w as tf.Tensor2D, this.b as tf.Tensor1D).reshape([n, h, w, this.dim]);
      if (options.mask) f = f.mul(tf.sub(1, options.mask.reshape([n, h, w, 1])));
      return f;
    });
    return { layout: 'grid', features, dim: this.dim, grid: [h, w], patchSize: this.patchSize };
  }
  forwardFeatures(x: tf.Tensor4D): BackboneFeatures {
    return tf.tidy(() => {
      const out = this.forward(x);
      return { pooled: out.features.mean([1, 2]) as tf.Tensor2D };
    });
  }
}

/** A token encoder: patch-linear embedding, a class token added to every kept token (standing in for attention), kept tokens gathered by `idsKeep` (MAE style). */
export class FakeTokenBackbone extends Module implements Backbone {
  readonly layout = 'tokens' as const;
  private readonly w: tf.Variable;
  private readonly cls: tf.Variable;
  constructor(
    readonly inChannels: number,
    readonly dim: number,
    readonly patchSize: number,
    seed = 0,
  ) {
    super();
    const rng = new Rng(seed);
    this.w = this.param('embed.weight', truncNormal([patchSize * patchSize * inChannels, dim], rng, 0.2));
    this.cls = this.param('cls_token', zerosInit([1, 1, dim]));
  }
  outputGrid(height: number, width: number): [number, number] {
    return [height / this.patchSize, width / this.patchSize];
  }
  forward(x: tf.Tensor4D, options: MaskedForwardOptions = {}): EncoderOutput {
    const [n, hh, ww] = x.shape;
    const grid = this.outputGrid(hh, ww);
    const features = tf.tidy(() => {
      let t = linear(patchify(x, this.patchSize), this.w as tf.Tensor2D) as tf.Tensor3D;
      if (options.idsKeep) t = gatherTokens(t, options.idsKeep);
      t = t.add(this.cls); // stands in for attention: patch tokens depend on the class token
      return tf.concat([tf.tile(this.cls.add(1), [n, 1, 1]), t], 1);
    });
    return { layout: 'tokens', features, dim: this.dim, grid, patchSize: this.patchSize, hasClassToken: true, ...(options.idsKeep ? { idsKeep: options.idsKeep } : {}) };
  }
  forwardFeatures(x: tf.Tensor4D): BackboneFeatures {
    return tf.tidy(() => ({ pooled: (this.forward(x).features as tf.Tensor3D).mean(1) as tf.Tensor2D }));
  }
}
