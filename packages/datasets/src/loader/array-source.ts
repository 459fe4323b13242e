import type { ModalitySpec, Sample } from '@terramae/tensors';
import { DatasetFormatError } from '../errors';
import type { SampleSource } from './source';

/**
 * Samples already in memory as a {@link SampleSource} (your own arrays, a subset of another
 * source, test data). Every sample must carry every modality of `specs`.
 */
export class ArraySource implements SampleSource<Sample> {
  readonly views = 1;

  constructor(
    readonly samples: readonly Sample[],
    readonly specs: Readonly<Record<string, ModalitySpec>>,
    private readonly name = 'memory',
  ) {
    samples.forEach((s, i) => {
      for (const m of Object.keys(specs)) {
        if (!s.modalities[m]) throw new DatasetFormatError(`ArraySource(${name}): sample ${i} lacks modality "${m}".`);
      }
    });
  }

  get length(): number {
    return this.samples.length;
  }

  describe(position: number): string {
    return `${this.name}, sample ${position}`;
  }

  async get(position: number): Promise<Sample> {
    const s = this.samples[position];
    if (!s) throw new RangeError(`position ${position} is out of range [0, ${this.samples.length}).`);
    return s;
  }
}
