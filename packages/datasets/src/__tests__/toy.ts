// Test helpers: small in-memory samples with every kind of modality (not published).
import type { ModalitySpec, Sample } from '@terramae/tensors';

export const TOY_SPECS: Record<string, ModalitySpec> = {
  s2: { name: 's2', level: 'pixel', kind: 'continuous', bands: ['a', 'b', 'c'] },
  lc: { name: 'lc', level: 'pixel', kind: 'categorical', bands: ['label'], numClasses: 4, ignoreIndex: -1 },
  era: { name: 'era', level: 'image', kind: 'continuous', bands: ['t', 'p'] },
  biome: { name: 'biome', level: 'image', kind: 'categorical', bands: ['biome'], numClasses: 14 },
};

/** Sample i: s2 value = 1000*i + 10*(y*W + x) + c; lc = (x + y) % 4; era = [i, -i]; biome = i % 14. */
export function toySample(i: number, size = 8, box = true): Sample {
  const s2 = new Float32Array(size * size * 3);
  const lc = new Int32Array(size * size);
  for (let p = 0; p < size * size; p++) {
    for (let c = 0; c < 3; c++) s2[p * 3 + c] = 1000 * i + 10 * p + c;
    lc[p] = ((p % size) + Math.floor(p / size)) % 4;
  }
  return {
    index: i,
    id: `toy${i}`,
    modalities: {
      s2: { data: s2, shape: [size, size, 3] },
      lc: { data: lc, shape: [size, size, 1] },
      era: { data: Float32Array.of(i, -i), shape: [2] },
      biome: { data: Int32Array.of(i % 14), shape: [1] },
    },
    ...(box ? { box: [i * 80, 80, i * 80 + 80, 0] as const } : {}),
    meta: { label: i % 3 },
  };
}
