// A tiny MMEarth-like batch with every modality kind (not published).
import * as tf from '@tensorflow/tfjs';
import { Rng, type Batch, type Box, type ModalitySpec } from '@terramae/tensors';

/** Specs of a tiny MMEarth-like dataset: S2 input (4 bands), S1 target, two maps, image-level values and labels. */
export function tinySpecs(inputBands = 4): Record<string, ModalitySpec> {
  const bands = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
  return {
    sentinel2: { name: 'sentinel2', level: 'pixel', kind: 'continuous', bands: bands(inputBands, 'B') },
    sentinel1: { name: 'sentinel1', level: 'pixel', kind: 'continuous', bands: bands(2, 'S') },
    aster: { name: 'aster', level: 'pixel', kind: 'continuous', bands: ['elevation', 'slope'] },
    canopy_height_eth: { name: 'canopy_height_eth', level: 'pixel', kind: 'continuous', bands: ['height', 'std'] },
    dynamic_world: { name: 'dynamic_world', level: 'pixel', kind: 'categorical', bands: ['label'], numClasses: 3, ignoreIndex: -1 },
    esa_worldcover: { name: 'esa_worldcover', level: 'pixel', kind: 'categorical', bands: ['label'], numClasses: 4, ignoreIndex: -1 },
    era5: { name: 'era5', level: 'image', kind: 'continuous', bands: bands(3, 'e') },
    lat: { name: 'lat', level: 'image', kind: 'continuous', bands: ['sin', 'cos'] },
    lon: { name: 'lon', level: 'image', kind: 'continuous', bands: ['sin', 'cos'] },
    month: { name: 'month', level: 'image', kind: 'continuous', bands: ['sin', 'cos'] },
    biome: { name: 'biome', level: 'image', kind: 'categorical', bands: ['biome'], numClasses: 5 },
    eco_region: { name: 'eco_region', level: 'image', kind: 'categorical', bands: ['eco_region'], numClasses: 7 },
  };
}

/** A batch of `b` samples at `size`×`size` for {@link tinySpecs}, with a few NaNs in S1 and ERA5 and ignore labels. */
export function tinyBatch(b: number, size: number, seed = 0, inputBands = 4, views = 1): Batch {
  const rng = new Rng(seed);
  const specs = tinySpecs(inputBands);
  const n = b * views;
  const px = (c: number) => rng.normalArray(n * size * size * c);
  const s1 = px(2);
  for (let i = 0; i < s1.length; i += 17) s1[i] = NaN;
  const labels = (k: number) => Int32Array.from({ length: n * size * size }, (_, i) => (i % 13 === 0 ? -1 : rng.int(k)));
  const era5 = rng.normalArray(b * 3);
  era5[1] = NaN;
  const modalities: Record<string, tf.Tensor> = {
    sentinel2: tf.tensor4d(px(inputBands), [n, size, size, inputBands]),
    sentinel1: tf.tensor4d(s1, [n, size, size, 2]),
    aster: tf.tensor4d(px(2), [n, size, size, 2]),
    canopy_height_eth: tf.tensor4d(px(2), [n, size, size, 2]),
    dynamic_world: tf.tensor3d(labels(3), [n, size, size], 'int32'),
    esa_worldcover: tf.tensor3d(labels(4), [n, size, size], 'int32'),
    era5: tf.tensor2d(era5, [b, 3]),
    lat: tf.tensor2d(rng.normalArray(b * 2), [b, 2]),
    lon: tf.tensor2d(rng.normalArray(b * 2), [b, 2]),
    month: tf.tensor2d(rng.normalArray(b * 2), [b, 2]),
    biome: tf.tensor1d(Int32Array.from({ length: b }, () => rng.int(5)), 'int32'),
    eco_region: tf.tensor1d(Int32Array.from({ length: b }, () => rng.int(7)), 'int32'),
  };
  const extra: { boxes?: tf.Tensor3D; boxValues?: Box[][] } = {};
  if (views > 1) {
    // overlapping footprints, shifted per view (y up: top > bottom)
    const boxValues: Box[][] = Array.from({ length: b }, (_, s) =>
      Array.from({ length: views }, (_, v) => [0.1 * v + 0.05 * s, 1 - 0.1 * v, 0.6 + 0.1 * v + 0.05 * s, 0.3 - 0.1 * v] as Box),
    );
    extra.boxValues = boxValues;
    extra.boxes = tf.tensor3d(boxValues.flat(2) as number[], [b, views, 4]);
  }
  const labelsT = tf.tensor1d(Int32Array.from({ length: b }, (_, i) => i % 2), 'int32');
  return { size: b, views, modalities, specs, labels: labelsT, ...extra, indices: Array.from({ length: b }, (_, i) => i) };
}
