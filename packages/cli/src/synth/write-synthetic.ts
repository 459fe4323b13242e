import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeSyntheticEarth, type SyntheticEarthOptions } from '@terramae/datasets';

/** Options of {@link writeSyntheticDataset}. */
export interface SyntheticDatasetOptions extends SyntheticEarthOptions {
  /** gzip level 0..9 (default 0: fastest). */
  readonly compression?: number;
  /** Replace an existing file. */
  readonly overwrite?: boolean;
}

/** File name of the synthetic dataset in its folder: `data_synthetic_<tile size>.h5`. */
export function syntheticFileName(tileSize = 64): string {
  return `data_synthetic_${tileSize}.h5`;
}

/** What {@link writeSyntheticDataset} wrote. */
export interface SyntheticDatasetResult {
  readonly h5: string;
  readonly samples: number;
  readonly splits: Readonly<Record<string, number>>;
  /** Class counts of the tiles' dominant land cover (the probe label), by class name. */
  readonly labels: Readonly<Record<string, number>>;
  readonly seconds: number;
}

/**
 * Generate the synthetic multi-modal Earth (terrain, climate and land cover with the 12 MMEarth
 * modalities derived from them, clearly marked `SYNTHETIC` in the tile info) and write it into
 * `dir` in the MMEarth layout: the HDF5 file and its band-statistics, splits and tile-info files.
 */
export async function writeSyntheticDataset(dir: string, options: SyntheticDatasetOptions): Promise<SyntheticDatasetResult> {
  const started = performance.now();
  mkdirSync(dir, { recursive: true });
  const h5 = join(dir, syntheticFileName(options.tileSize ?? 64));
  const { earth, result } = await writeSyntheticEarth(h5, {
    ...options,
    ...(options.overwrite ? { overwrite: true } : {}),
    compression: options.compression ?? 0,
  });
  const labels: Record<string, number> = {};
  for (const l of earth.labels) {
    const name = earth.labelNames[l] ?? String(l);
    labels[name] = (labels[name] ?? 0) + 1;
  }
  return {
    h5: result.paths.h5,
    samples: result.numSamples,
    splits: Object.fromEntries(Object.entries(result.splits).map(([k, v]) => [k, v.length])),
    labels,
    seconds: (performance.now() - started) / 1000,
  };
}
