import { Rng } from '@terramae/tensors';
import { featureMatrix, type FeatureMatrix } from '../features';

/**
 * Test fixture (not exported from the package): `n` samples of `classes` Gaussian blobs in `dim`
 * dimensions, class `i % classes`, centres `separation` apart along their own axis.
 */
export function gaussianBlobs(n: number, classes: number, dim: number, separation: number, seed: number): { features: FeatureMatrix; labels: Int32Array } {
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const data: number[] = [];
  for (const y of labels) for (let j = 0; j < dim; j++) data.push((j === y % dim ? separation : 0) + rng.normal());
  return { features: featureMatrix(data, n, dim), labels };
}
