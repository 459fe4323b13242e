import * as tf from '@tensorflow/tfjs';
import { Rng, type Batch, type ModalitySpec } from '@terramae/tensors';

/** Test fixture: the spec of an `n`-band continuous image modality. */
export function imageSpec(name: string, bands: readonly string[]): ModalitySpec {
  return { name, level: 'pixel', kind: 'continuous', bands: [...bands] };
}

/**
 * Test fixture: random labelled image batches `[b, size, size, channels]` under `sentinel2`,
 * where the mean of channel 0 is shifted by the class (so features can tell classes apart).
 */
export function labelledImageBatches(options: { n: number; batchSize: number; size: number; channels: number; classes: number; seed: number; shift?: number }): Batch[] {
  const rng = new Rng(options.seed);
  const out: Batch[] = [];
  const spec = imageSpec('sentinel2', Array.from({ length: options.channels }, (_, i) => `B${i + 1}`));
  for (let start = 0; start < options.n; start += options.batchSize) {
    const b = Math.min(options.batchSize, options.n - start);
    const labels = Array.from({ length: b }, (_, i) => (start + i) % options.classes);
    const px = options.size * options.size * options.channels;
    const data = rng.normalArray(b * px);
    labels.forEach((y, i) => {
      for (let p = 0; p < options.size * options.size; p++) data[i * px + p * options.channels]! += (options.shift ?? 2) * y;
    });
    out.push({
      size: b,
      views: 1,
      modalities: { sentinel2: tf.tensor4d(data, [b, options.size, options.size, options.channels]) },
      specs: { sentinel2: spec },
      labels: tf.tensor1d(labels, 'int32'),
      indices: labels.map((_, i) => start + i),
    });
  }
  return out;
}
