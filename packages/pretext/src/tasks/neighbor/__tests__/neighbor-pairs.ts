// Test-only: tiny neighbour-pair batches and backbones for the neighbour task and hybrid tests.
import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2, VisionTransformer } from '@terramae/backbones';
import { Rng, type Batch, type Box, type ModalitySpec } from '@terramae/tensors';

/** Image side, channels and ViT patch of the test batches. */
export const SIZE = 16;
export const CHANNELS = 3;
export const VIT_PATCH = 4;

/** Input plus MMEarth-style targets: a categorical map and an image-level class. */
export const PAIR_SPECS: Record<string, ModalitySpec> = {
  rgb: { name: 'rgb', level: 'pixel', kind: 'continuous', bands: ['r', 'g', 'b'] },
  landcover: { name: 'landcover', level: 'pixel', kind: 'categorical', bands: ['label'], numClasses: 4, ignoreIndex: -1 },
  biome: { name: 'biome', level: 'image', kind: 'categorical', bands: ['label'], numClasses: 3 },
};

/** Overlapping pairs, already in the union frame `[0, 32]²` (what normalizeBoxesToUnion gives). */
export const PAIR_BOXES: Box[][] = [
  [
    [0, 32, 24, 8],
    [8, 24, 32, 0],
  ],
  [
    [0, 32, 32, 0],
    [4, 28, 28, 4],
  ],
];

/** A batch of 2 pairs (4 images, view-major inside a sample) with boxes and per-view targets. */
export function pairBatch(seed: number): Batch {
  const rng = new Rng(seed);
  const n = PAIR_BOXES.length * 2;
  const labels = Int32Array.from({ length: n * SIZE * SIZE }, () => rng.int(5) - 1);
  return {
    size: PAIR_BOXES.length,
    views: 2,
    modalities: {
      rgb: tf.tensor4d(rng.normalArray(n * SIZE * SIZE * CHANNELS), [n, SIZE, SIZE, CHANNELS]),
      landcover: tf.tensor3d(labels, [n, SIZE, SIZE], 'int32'),
      biome: tf.tensor1d(Int32Array.from({ length: n }, () => rng.int(3)), 'int32'),
    },
    specs: PAIR_SPECS,
    boxes: tf.tensor3d(PAIR_BOXES.flat().flat() as number[], [PAIR_BOXES.length, 2, 4]),
    boxValues: PAIR_BOXES,
    indices: [0, 1],
  };
}

/** A tiny joint ViT with the box position embedding (NeighborMAE's encoder). */
export function tinyBoxVit(): VisionTransformer {
  return new VisionTransformer({ embedDim: 16, depth: 1, numHeads: 2, patchSize: VIT_PATCH, inChannels: CHANNELS, imageSize: SIZE, posEmbed: 'box', numViews: 2, seed: 2 });
}

/** A tiny ConvNeXt V2 (one block per stage) with an 8-pixel output cell: a 2×2 grid at 16 px. */
export function tinyConvNeXt(): ConvNeXtV2 {
  return new ConvNeXtV2({ depths: [1, 1, 1, 1], dims: [8, 16, 24, 32], inChannels: CHANNELS, patchSize: 8, seed: 3 });
}
