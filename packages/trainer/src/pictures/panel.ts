import type * as tf from '@tensorflow/tfjs';
import { PictureError } from './errors';
import { classColor } from './palette';
import { createRgbImage, type Rgb, type RgbImage } from './rgb-image';
import { stretchByte, stretchRange, type StretchPercentiles } from './stretch';

/** Pixels on the host: `[H, W]` or `[H, W, C]` row-major (HWC). */
export interface HostImage {
  readonly data: ArrayLike<number>;
  readonly shape: readonly [number, number] | readonly [number, number, number];
}

/** How a panel turns values into colours. */
export type PanelKind = 'rgb' | 'continuous' | 'categorical';

/** A patch mask over a panel: `[gh, gw]` cells, 1 = hidden (drawn grey). */
export interface PanelMask {
  readonly data: ArrayLike<number>;
  readonly shape: readonly [number, number];
}

/** One picture of a grid. */
export interface Panel {
  /** Drawn above the panel (5×7 font, upper case). */
  readonly title?: string;
  /** `[H, W, C]` / `[H, W]` values: a tensor (read asynchronously, not disposed) or host data. */
  readonly image: tf.Tensor3D | tf.Tensor2D | HostImage;
  /**
   * - `rgb`: three channels (`channels`, default 0, 1, 2), each with a robust per-image
   *   percentile stretch (or one joint stretch with `jointStretch`).
   * - `continuous`: one channel in grey, or three as false colour, each channel stretched on its own.
   * - `categorical`: class indices in the fixed palette; the ignore label in black.
   */
  readonly kind: PanelKind;
  /** Channels to draw (3 for colour, 1 for grey). Default: 0, 1, 2 when there are 3 or more, else 0. */
  readonly channels?: readonly number[];
  /** Greys out the hidden patches (pixels are assigned to cells by position). */
  readonly mask?: PanelMask;
  /** Percentiles of the stretch. Default 2 and 98. */
  readonly stretch?: StretchPercentiles;
  /**
   * `rgb`: one stretch over all three channels, which keeps the colour balance of reflectances;
   * the default per-channel stretch suits z-scored inputs, whose bands share no scale.
   */
  readonly jointStretch?: boolean;
  /** Categorical: the ignore label. Default -1. */
  readonly ignoreIndex?: number;
}

/** Grey of hidden patches. */
export const MASK_GREY: Rgb = [128, 128, 128];

/** `[H, W, C]` of a host image. */
export function imageDims(image: HostImage): [number, number, number] {
  const [h, w, c = 1] = image.shape;
  if (image.shape.length < 2 || image.shape.length > 3 || ![h, w, c].every((d) => Number.isInteger(d) && d > 0)) {
    throw new PictureError(`panel image shape [${image.shape.join(', ')}] is not [H, W] or [H, W, C].`);
  }
  if (image.data.length !== h * w * c) throw new PictureError(`panel image has ${image.data.length} values for shape [${image.shape.join(', ')}].`);
  return [h, w, c];
}

/** Draw one panel (host data) as an RGB image of its own size. */
export function renderPanel(panel: Omit<Panel, 'image'> & { readonly image: HostImage }): RgbImage {
  const [h, w, c] = imageDims(panel.image);
  const values = panel.image.data;
  const channels = panel.channels ?? (panel.kind === 'categorical' ? [0] : c >= 3 ? [0, 1, 2] : [0]);
  for (const ch of channels) {
    if (!Number.isInteger(ch) || ch < 0 || ch >= c) throw new PictureError(`panel${panel.title ? ` '${panel.title}'` : ''}: channel ${ch} does not exist in an image of ${c} channels.`);
  }
  if (panel.kind === 'rgb' && channels.length !== 3) throw new PictureError(`panel${panel.title ? ` '${panel.title}'` : ''}: an rgb panel needs 3 channels, got ${channels.length}.`);
  if (panel.kind === 'continuous' && channels.length !== 1 && channels.length !== 3) {
    throw new PictureError(`panel${panel.title ? ` '${panel.title}'` : ''}: a continuous panel draws 1 (grey) or 3 (false colour) channels, got ${channels.length}.`);
  }
  const hidden = maskLookup(panel.mask, h, w, panel.title);
  const out = createRgbImage(w, h);
  if (panel.kind === 'categorical') {
    const ch = channels[0] as number;
    for (let p = 0; p < h * w; p++) out.data.set(classColor(values[p * c + ch] as number, panel.ignoreIndex ?? -1), p * 3);
  } else {
    const visible = (i: number) => !hidden(Math.floor(i / channels.length));
    const sample = (k: number) => {
      const ch = channels[k] as number;
      const arr = new Float64Array(h * w);
      for (let p = 0; p < h * w; p++) arr[p] = values[p * c + ch] as number;
      return arr;
    };
    const planes = channels.map((_, k) => sample(k));
    const ranges =
      panel.kind === 'rgb' && panel.jointStretch
        ? (() => {
            const joint = new Float64Array(h * w * 3);
            for (let p = 0; p < h * w; p++) for (let k = 0; k < 3; k++) joint[p * 3 + k] = (planes[k] as Float64Array)[p] as number;
            const r = stretchRange(joint, panel.stretch, visible);
            return [r, r, r];
          })()
        : planes.map((plane) => stretchRange(plane, panel.stretch, (p) => !hidden(p)));
    for (let p = 0; p < h * w; p++) {
      if (planes.length === 1) {
        const g = stretchByte((planes[0] as Float64Array)[p] as number, ranges[0] as ReturnType<typeof stretchRange>);
        out.data.set([g, g, g], p * 3);
      } else {
        for (let k = 0; k < 3; k++) out.data[p * 3 + k] = stretchByte((planes[k] as Float64Array)[p] as number, ranges[k] as ReturnType<typeof stretchRange>);
      }
    }
  }
  for (let p = 0; p < h * w; p++) if (hidden(p)) out.data.set(MASK_GREY, p * 3);
  return out;
}

function maskLookup(mask: PanelMask | undefined, h: number, w: number, title: string | undefined): (p: number) => boolean {
  if (!mask) return () => false;
  const [gh, gw] = mask.shape;
  if (mask.data.length !== gh * gw || gh < 1 || gw < 1 || gh > h || gw > w) {
    throw new PictureError(`panel${title ? ` '${title}'` : ''}: mask of shape [${mask.shape.join(', ')}] (${mask.data.length} values) does not fit a ${h}×${w} image.`);
  }
  return (p) => {
    const y = Math.floor(p / w);
    const x = p % w;
    return (mask.data[Math.floor((y * gh) / h) * gw + Math.floor((x * gw) / w)] as number) > 0.5;
  };
}
