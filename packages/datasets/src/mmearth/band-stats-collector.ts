import type { ModalityDefinition } from '../modalities/modality-definition';
import type { NumericArray } from '../util/typed-arrays';
import { BandStatsAccumulator } from './band-stats-accumulator';
import type { BandStats, BandStatsEntry } from './side-files';

/**
 * Band statistics of a whole MMEarth-layout dataset, fed one stored sample at a time: one
 * accumulator per band-stats key (Sentinel-2 split by product type into `sentinel2_l1c` /
 * `sentinel2_l2a`), for every modality whose definition asks for statistics.
 */
export class BandStatsCollector {
  private readonly accumulators = new Map<string, BandStatsAccumulator>();

  /** The band-stats key a modality's statistics go to for a tile of this product type. */
  static keyFor(def: ModalityDefinition, s2Type: 'l1c' | 'l2a'): string {
    if (def.statsKey === undefined) return def.name;
    return typeof def.statsKey === 'string' ? def.statsKey : def.statsKey[s2Type];
  }

  /** Add one sample's stored values (`[C, S, S]` or `[C]`) of a modality. */
  add(def: ModalityDefinition, s2Type: 'l1c' | 'l2a', values: NumericArray | ArrayLike<number>): void {
    if (!def.computeStats) return;
    const key = BandStatsCollector.keyFor(def, s2Type);
    let acc = this.accumulators.get(key);
    if (!acc) {
      acc = new BandStatsAccumulator(def.storedBands.length, def.noData ?? Number.NaN);
      this.accumulators.set(key, acc);
    }
    acc.addChannelFirst(values);
  }

  /** The statistics of every key seen so far. */
  result(): BandStats {
    const out: Record<string, BandStatsEntry> = {};
    for (const [key, acc] of this.accumulators) out[key] = acc.result();
    return out;
  }
}
