import type { ModalitySpec, SampleArray } from '@terramae/tensors';
import { DatasetFormatError } from '../errors';
import { applyLabelRemap } from '../modalities/label-remap';
import type { ModalityDefinition } from '../modalities/modality-definition';
import { MMEARTH_ALL_MOD, type BandSelection } from '../modalities/mmearth-modalities';
import { getModality } from '../modalities/modality-registry';
import type { NumericArray } from '../util/typed-arrays';

/**
 * When no-data values are turned into "missing", relative to the z-score.
 *
 * - `normalize-first` (default): z-score, then compare with the no-data value, as the code that
 *   trained the released MMEarth weights did (MMEarth-train 8d6114e). Raw Sentinel-2 zeros
 *   therefore become `-mean/std`, never missing; only `-inf` (S1) and NaN (ERA5) survive.
 * - `nodata-first`: compare the raw value with the no-data value first, then z-score (the
 *   corrected order of MMEarth-train 1f368b3, Jan 2026). Raw Sentinel-2 zeros become missing.
 */
export type NoDataOrder = 'normalize-first' | 'nodata-first';

/** Options of {@link processModality}. */
export interface ProcessOptions {
  /** See {@link NoDataOrder}. */
  readonly order: NoDataOrder;
  /** Z-score continuous modalities with their band statistics (default true). */
  readonly normalize: boolean;
  /**
   * What missing values of continuous pixel targets become: `zero` (the reference's
   * `nan_to_num` on the S2/S1/ASTER/canopy targets) or `nan` (for NaN-aware losses).
   * Image-level continuous targets keep NaN (±inf become NaN); inputs always become 0.
   */
  readonly pixelTargetNonFinite: 'zero' | 'nan';
  /** What an all-zero one-hot row (missing biome/ecoregion) becomes: class 0 (reference) or ignore. */
  readonly missingOneHot: 'class0' | 'ignore';
}

/** One modality to read: its definition, the stored channels selected, and the spec it produces. */
export interface ModalityPlan {
  readonly name: string;
  readonly def: ModalityDefinition;
  /** Stored channel indices, in output order (continuous); `[]` for categorical. */
  readonly channels: readonly number[];
  /** The spec of the produced array (selected bands). */
  readonly spec: ModalitySpec;
  /** Whether this modality feeds the encoder (always sanitised, checked for non-finite raw values). */
  readonly isInput: boolean;
}

/** Result of processing one modality of one sample. */
export interface ProcessedModality {
  readonly array: SampleArray;
  /** Raw non-finite values that are not the declared no-data value (corruption in an input). */
  readonly unexpectedNonFinite: number;
}

/**
 * Resolve a modality selection (`{ sentinel2: ['B1', …], sentinel1: 'all' }` or a list of names)
 * against the registry, with errors naming unknown modalities and bands. A plain list of names
 * takes MMEarth's default band selection of each ({@link MMEARTH_ALL_MOD}: the 12 S2 input bands,
 * without B10) and all bands of any other modality.
 */
export function planModalities(
  selection: Readonly<Record<string, BandSelection>> | readonly string[],
  inputs: readonly string[],
  available?: readonly string[],
  source = 'dataset',
): ModalityPlan[] {
  const entries: [string, BandSelection][] = Array.isArray(selection)
    ? (selection as readonly string[]).map((n) => [n, MMEARTH_ALL_MOD[n] ?? 'all'])
    : Object.entries(selection as Record<string, BandSelection>);
  for (const input of inputs) {
    if (!entries.some(([n]) => n === input)) {
      throw new DatasetFormatError(`${source}: input modality "${input}" is not among the selected modalities (${entries.map(([n]) => n).join(', ')}).`);
    }
  }
  return entries.map(([name, bands]) => {
    const def = getModality(name);
    if (available && !available.includes(name)) {
      throw new DatasetFormatError(`${source} has no modality "${name}". Stored modalities: ${available.join(', ')}.`);
    }
    let channels: number[] = [];
    let outBands: readonly string[] = def.bands;
    if (def.kind === 'continuous') {
      if (bands === 'all') {
        channels = def.storedBands.map((_, i) => i);
      } else {
        if (bands.length === 0) throw new DatasetFormatError(`${source}: modality "${name}" selects no bands.`);
        channels = bands.map((b) => {
          const i = def.storedBands.indexOf(b);
          if (i < 0) {
            throw new DatasetFormatError(
              `${source}: modality "${name}" has no band "${b}". Its bands, in stored order: ${def.storedBands.join(', ')}.`,
            );
          }
          return i;
        });
        outBands = [...bands];
      }
    } else if (bands !== 'all' && !(bands.length === def.bands.length && bands.every((b, i) => b === def.bands[i]))) {
      throw new DatasetFormatError(`${source}: modality "${name}" is categorical; select it with 'all'.`);
    }
    const spec: ModalitySpec = {
      name,
      level: def.level,
      kind: def.kind,
      bands: outBands,
      ...(def.numClasses !== undefined ? { numClasses: def.numClasses } : {}),
      ...(def.noData !== undefined ? { noData: def.noData } : {}),
      ...(def.kind === 'categorical' ? { ignoreIndex: def.ignoreIndex ?? -1 } : {}),
      dtype: def.dtype,
      ...(def.description ? { description: def.description } : {}),
    };
    return { name, def, channels, spec, isInput: inputs.includes(name) };
  });
}

/**
 * Turn one modality of one stored sample into the array a {@link @terramae/tensors!Sample} carries: band selection,
 * z-score (in the chosen order relative to no-data), label remap or one-hot argmax, non-finite
 * handling, and CHW → HWC.
 *
 * @param raw - stored values, `[C, S, S]` or `[C]`
 * @param storedShape - the per-sample stored shape
 * @param stats - mean and std of the *selected* channels (continuous, when normalising)
 */
export function processModality(
  plan: ModalityPlan,
  raw: NumericArray,
  storedShape: readonly number[],
  stats: { readonly mean: readonly number[]; readonly std: readonly number[] } | undefined,
  options: ProcessOptions,
): ProcessedModality {
  const def = plan.def;
  const noData = def.noData ?? Number.NaN;
  const noDataIsNaN = Number.isNaN(noData);
  const ignore = def.ignoreIndex ?? -1;
  if (def.kind === 'categorical') {
    if (def.encoding === 'one-hot') {
      return { array: { data: Int32Array.of(oneHotArgmax(raw, noData, ignore, options.missingOneHot)), shape: [1] }, unexpectedNonFinite: 0 };
    }
    const out = new Int32Array(raw.length);
    if (def.labelRemap) applyLabelRemap(raw, def.labelRemap, ignore, out);
    else {
      for (let i = 0; i < raw.length; i++) {
        const v = raw[i] as number;
        out[i] = v === noData || !Number.isInteger(v) ? ignore : v;
      }
    }
    const shape = def.level === 'pixel' ? [storedShape[1] as number, storedShape[2] as number, 1] : [1];
    return { array: { data: out, shape }, unexpectedNonFinite: 0 };
  }

  const channels = plan.channels;
  const C = channels.length;
  const hw = def.level === 'pixel' ? (storedShape[1] as number) * (storedShape[2] as number) : 1;
  const out = new Float32Array(hw * C);
  const normalize = options.normalize && stats !== undefined;
  const sanitizeTo = plan.isInput ? 0 : def.level === 'pixel' && options.pixelTargetNonFinite === 'zero' ? 0 : Number.NaN;
  const nodataFirst = options.order === 'nodata-first';
  let unexpected = 0;
  for (let k = 0; k < C; k++) {
    const base = (channels[k] as number) * hw;
    const mean = normalize ? (stats.mean[k] as number) : 0;
    const std = normalize ? (stats.std[k] as number) : 1;
    for (let p = 0; p < hw; p++) {
      const v = raw[base + p] as number;
      const isNoData = noDataIsNaN ? v !== v : v === noData;
      let z: number;
      if (nodataFirst || !normalize) {
        z = isNoData ? Number.NaN : (v - mean) / std;
      } else {
        z = (v - mean) / std;
        if (noDataIsNaN ? z !== z : z === noData) z = Number.NaN;
      }
      if (!Number.isFinite(z)) {
        if (plan.isInput && !Number.isFinite(v) && !isNoData) unexpected++;
        z = sanitizeTo;
      }
      out[p * C + k] = z;
    }
  }
  const shape = def.level === 'pixel' ? [storedShape[1] as number, storedShape[2] as number, C] : [C];
  return { array: { data: out, shape }, unexpectedNonFinite: unexpected };
}

/** Class index of a one-hot row; no-data entries count as absent. */
function oneHotArgmax(row: NumericArray, noData: number, ignore: number, missing: 'class0' | 'ignore'): number {
  let best = -1;
  let bestValue = 0;
  for (let i = 0; i < row.length; i++) {
    const v = row[i] as number;
    if (v === noData || !(v > bestValue)) continue;
    best = i;
    bestValue = v;
  }
  if (best >= 0) return best;
  return missing === 'class0' ? 0 : ignore;
}
