import { DatasetFormatError } from '../errors';
import { dtypeOfArray, type NumericArray } from '../util/typed-arrays';
import type { MMEarthStore, StoredSampleMeta } from './store';

/** One modality held in memory: all samples back to back, `[N, ...shape]`. */
export interface MemoryModality {
  /** Values of every sample, sample-major. */
  readonly data: NumericArray;
  /** Per-sample shape: `[C, S, S]` or `[C]`. */
  readonly shape: readonly number[];
}

/**
 * An MMEarth-layout dataset held in memory (same per-sample layout as the HDF5 file), e.g. the
 * synthetic generator's output before (or instead of) writing it.
 */
export class MemoryMMEarthStore implements MMEarthStore {
  readonly length: number;
  readonly tileSize: number;

  constructor(
    readonly source: string,
    private readonly arrays: Readonly<Record<string, MemoryModality>>,
    private readonly metas: readonly StoredSampleMeta[],
  ) {
    this.length = metas.length;
    let tileSize = 0;
    for (const [name, m] of Object.entries(arrays)) {
      const per = m.shape.reduce((a, b) => a * b, 1);
      if (m.data.length !== per * this.length) {
        throw new DatasetFormatError(
          `${source}: modality "${name}" holds ${m.data.length} values, expected ${this.length} x [${m.shape.join(', ')}] = ${per * this.length}.`,
        );
      }
      if (m.shape.length === 3) tileSize = m.shape[1] as number;
    }
    this.tileSize = tileSize;
  }

  modalities(): string[] {
    return Object.keys(this.arrays);
  }

  shape(modality: string): readonly number[] {
    return this.get(modality).shape;
  }

  dtype(modality: string): string {
    return dtypeOfArray(this.get(modality).data) ?? 'unknown';
  }

  read(modality: string, index: number): NumericArray {
    const m = this.get(modality);
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`${this.source}: sample index ${index} is out of range [0, ${this.length}).`);
    }
    const per = m.shape.reduce((a, b) => a * b, 1);
    return m.data.subarray(index * per, (index + 1) * per);
  }

  meta(index: number): StoredSampleMeta {
    const m = this.metas[index];
    if (!m) throw new RangeError(`${this.source}: sample index ${index} is out of range [0, ${this.length}).`);
    return m;
  }

  close(): void {}

  private get(modality: string): MemoryModality {
    const m = this.arrays[modality];
    if (!m) throw new DatasetFormatError(`${this.source} has no modality "${modality}". Stored: ${this.modalities().join(', ')}.`);
    return m;
  }
}
