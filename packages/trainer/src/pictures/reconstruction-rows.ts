import type * as tf from '@tensorflow/tfjs';
import type { ModalitySpec } from '@terramae/tensors';
import { PictureError } from './errors';
import type { HostImage, Panel } from './panel';

/** Tensors or host data `[B, …]` (a batch). */
/** Batch values for a picture: a tensor, or host values with their shape. */
export type BatchValues = tf.Tensor | { readonly data: ArrayLike<number>; readonly shape: readonly number[] };

/** One predicted modality of {@link reconstructionRows}. */
export interface ReconstructedModality {
  /** Name for the titles, e.g. `sentinel2`, `dynamic_world`. */
  readonly name: string;
  /** `[B, H, W, C]` predictions: values (continuous), class scores or class indices `[B, H, W]` (categorical). */
  readonly prediction: BatchValues;
  /** `[B, H, W, C]` (continuous) or `[B, H, W]` class indices (categorical). */
  readonly target: BatchValues;
  /** Continuous or categorical (default: from `spec`, else continuous). */
  readonly kind?: 'continuous' | 'categorical';
  /** The modality's spec: kind, band names (S2 predictions are drawn in true colour), ignore label. */
  readonly spec?: ModalitySpec;
}

/** Input of {@link reconstructionRows}. */
export interface ReconstructionRowsInput {
  /** The encoder's input `[B, H, W, C]`. */
  readonly input: BatchValues;
  /** Band names of the input, to find the true-colour bands. */
  readonly inputBands: readonly string[];
  /** The mask `[B, L]` over a `grid` of patches, 1 = hidden. */
  readonly mask: BatchValues;
  /** `[gh, gw]` with `gh · gw = L`. */
  readonly grid: readonly [number, number];
  /** Predicted pixel-level modalities (the reconstructed input first, usually). */
  readonly modalities: readonly ReconstructedModality[];
  /** Rows (samples) to draw. Default 4. */
  readonly samples?: number;
  /** True-colour bands by name. Default `['B4', 'B3', 'B2']` (Sentinel-2 red, green, blue). */
  readonly rgbBands?: readonly [string, string, string];
}

function isTensor(x: unknown): x is tf.Tensor {
  return typeof x === 'object' && x !== null && 'dataId' in x && 'shape' in x;
}

async function host(v: BatchValues): Promise<{ data: ArrayLike<number>; shape: readonly number[] }> {
  return isTensor(v) ? { data: await v.data(), shape: v.shape } : v;
}

function sampleOf(v: { data: ArrayLike<number>; shape: readonly number[] }, b: number): HostImage {
  const [, h, w, c = 1] = v.shape;
  const per = (h as number) * (w as number) * c;
  const data = Array.prototype.slice.call(v.data, b * per, (b + 1) * per) as number[];
  return { data, shape: v.shape.length === 3 ? [h as number, w as number] : [h as number, w as number, c] };
}

/**
 * The indices of the true-colour bands, by name (`B4, B3, B2` by default); an input of exactly
 * three unnamed-match bands is drawn as is. An error names the bands otherwise.
 */
export function trueColourChannels(bands: readonly string[], rgbBands: readonly [string, string, string] = ['B4', 'B3', 'B2']): [number, number, number] | undefined {
  const idx = rgbBands.map((b) => bands.indexOf(b));
  if (idx.every((i) => i >= 0)) return idx as [number, number, number];
  if (bands.length === 3) return [0, 1, 2];
  return undefined;
}

function argmaxLast(v: HostImage): HostImage {
  const [h, w, c = 1] = v.shape;
  if (v.shape.length === 2 || c === 1) return { data: v.data, shape: [h, w] };
  const out = new Int32Array(h * w);
  for (let p = 0; p < h * w; p++) {
    let best = 0;
    for (let k = 1; k < c; k++) if ((v.data[p * c + k] as number) > (v.data[p * c + best] as number)) best = k;
    out[p] = best;
  }
  return { data: out, shape: [h, w] };
}

/**
 * The standard rows of a reconstruction picture, one per sample: the input in true colour
 * (B4, B3, B2 by name, robust per-image stretch), the masked input (hidden patches grey), then a
 * prediction and a target panel per modality (continuous: true colour when it has the RGB bands,
 * else grey or false colour; categorical: the fixed palette, ignore label black; class scores
 * are arg-maxed). Tensors are read asynchronously and not disposed.
 */
export async function reconstructionRows(options: ReconstructionRowsInput): Promise<Panel[][]> {
  const input = await host(options.input);
  if (input.shape.length !== 4) throw new PictureError(`reconstructionRows: input has shape [${input.shape.join(', ')}]; expected [B, H, W, C].`);
  const [b, , , c] = input.shape as [number, number, number, number];
  if (options.inputBands.length !== c) throw new PictureError(`reconstructionRows: the input has ${c} channels but inputBands names ${options.inputBands.length}.`);
  const rgb = trueColourChannels(options.inputBands, options.rgbBands);
  if (!rgb) {
    throw new PictureError(
      `reconstructionRows: the input bands (${options.inputBands.join(', ')}) lack ${(options.rgbBands ?? ['B4', 'B3', 'B2']).join(', ')}; pass rgbBands naming the red, green and blue bands.`,
    );
  }
  const mask = await host(options.mask);
  const [gh, gw] = options.grid;
  if (mask.shape.length !== 2 || mask.shape[0] !== b || mask.shape[1] !== gh * gw) {
    throw new PictureError(`reconstructionRows: mask has shape [${mask.shape.join(', ')}]; expected [${b}, ${gh * gw}] for a ${gh}×${gw} grid.`);
  }
  const mods = await Promise.all(
    options.modalities.map(async (m) => {
      const kind = m.kind ?? m.spec?.kind ?? 'continuous';
      const prediction = await host(m.prediction);
      const target = await host(m.target);
      for (const [what, v] of [['prediction', prediction], ['target', target]] as const) {
        if (v.shape[0] !== b || (v.shape.length !== 3 && v.shape.length !== 4)) {
          throw new PictureError(`reconstructionRows: ${m.name} ${what} has shape [${v.shape.join(', ')}]; expected [${b}, H, W, C] or [${b}, H, W].`);
        }
      }
      const bands = m.spec?.bands;
      const channels = kind === 'continuous' && bands && (prediction.shape[3] ?? 1) === bands.length ? trueColourChannels(bands, options.rgbBands) : undefined;
      return { m, kind, prediction, target, channels, ignoreIndex: m.spec?.ignoreIndex ?? -1 };
    }),
  );
  const rows: Panel[][] = [];
  for (let s = 0; s < Math.min(b, options.samples ?? 4); s++) {
    const image = sampleOf(input, s);
    const maskCells = { data: Array.prototype.slice.call(mask.data, s * gh * gw, (s + 1) * gh * gw) as number[], shape: [gh, gw] as const };
    const row: Panel[] = [
      { title: 'input', image, kind: 'rgb', channels: rgb },
      { title: 'masked', image, kind: 'rgb', channels: rgb, mask: maskCells },
    ];
    for (const x of mods) {
      const name = x.m.name;
      if (x.kind === 'categorical') {
        row.push({ title: `${name} pred`, image: argmaxLast(sampleOf(x.prediction, s)), kind: 'categorical', ignoreIndex: x.ignoreIndex });
        row.push({ title: `${name} target`, image: argmaxLast(sampleOf(x.target, s)), kind: 'categorical', ignoreIndex: x.ignoreIndex });
      } else {
        const kind = x.channels ? 'rgb' : 'continuous';
        const channels = x.channels ? { channels: x.channels } : {};
        row.push({ title: `${name} pred`, image: sampleOf(x.prediction, s), kind, ...channels });
        row.push({ title: `${name} target`, image: sampleOf(x.target, s), kind, ...channels });
      }
    }
    rows.push(row);
  }
  return rows;
}
