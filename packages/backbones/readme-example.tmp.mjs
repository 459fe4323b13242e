import * as tf from '@tensorflow/tfjs';
import { initBackend, normalizeBoxesToUnion, Rng } from '@terramae/tensors';
import { createBackbone } from '@terramae/backbones';

await initBackend({ backend: 'wasm' });
const rng = new Rng(0);
const keep = (n, l, k) => tf.tensor2d(Array.from({ length: n }, () => rng.permutation(l).slice(0, k)).flat(), [n, k], 'int32');

// MAE: a 32×32 image with 12 bands is 16 patches of 8×8; encode 4 of them (75 % masked).
const vit = createBackbone('vit_tiny', { patchSize: 8, inChannels: 12, imageSize: 32 });
const x = tf.randomNormal([2, 32, 32, 12]);
const out = vit.forward(x, { idsKeep: keep(2, 16, 4) });
console.log('MAE latent', out.features.shape); // [2, 5, 192]: class token + 4 kept patches

// NeighborMAE: two overlapping views per sample, footprint boxes (left, top, right, bottom; y up),
// one class token per sample; the last kept token of view 0 is disabled as an attention key.
const nb = createBackbone('vit_tiny', { patchSize: 8, inChannels: 12, imageSize: 32, posEmbed: 'box' });
const boxes = normalizeBoxesToUnion(tf.tensor3d([[[0, 1, 1, 0], [0.5, 1.2, 1.5, 0.2]]]));
const joint = nb.forward(tf.randomNormal([2, 32, 32, 12]), {
  views: 2,
  boxes,
  idsKeep: keep(2, 16, 4),
  keyMask: tf.tensor2d([[0, 0, 0, 1], [0, 0, 0, 0]]),
});
console.log('NeighborMAE latent', joint.features.shape, 'joint', joint.joint); // [1, 9, 192] true

// Probe features: the normed class token (or { pool: 'mean' }).
console.log('pooled', vit.forwardFeatures(x).pooled.shape); // [2, 192]
