import type * as tf from '@tensorflow/tfjs';
import { drawText, fitText, FONT_HEIGHT } from './bitmap-font';
import { PictureError } from './errors';
import { renderPanel, type HostImage, type Panel } from './panel';
import { blit, createRgbImage, writePng, type Rgb, type RgbImage } from './rgb-image';

/** Options of {@link renderGrid} and {@link writeReconstructionGrid}. */
export interface GridOptions {
  /** Integer upscaling of every panel (nearest). Default `auto`: the largest side becomes about 96 px. */
  readonly scale?: number | 'auto';
  /** Gap between panels and around the grid, in pixels. Default 4. */
  readonly padding?: number;
  /** Background colour. Default dark grey (24, 24, 24). */
  readonly background?: Rgb;
  /** Title colour. Default white. */
  readonly titleColor?: Rgb;
}

/** Where a panel was drawn (its image, below its title). */
export interface PanelPlacement {
  readonly row: number;
  readonly column: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly scale: number;
}

/** A rendered grid and where each panel sits. */
export interface RenderedGrid {
  readonly image: RgbImage;
  readonly placements: readonly PanelPlacement[][];
}

function isTensor(x: unknown): x is tf.Tensor {
  return typeof x === 'object' && x !== null && 'dataId' in x && 'shape' in x;
}

async function hostImage(image: Panel['image']): Promise<HostImage> {
  if (!isTensor(image)) return image as HostImage;
  if (image.rank !== 2 && image.rank !== 3) throw new PictureError(`panel tensor has shape [${image.shape.join(', ')}]; pass one image, [H, W] or [H, W, C].`);
  return { data: await image.data(), shape: image.shape as [number, number] | [number, number, number] };
}

/**
 * Render rows of panels into one picture: each panel at its own stretch and colour map, with its
 * title above; columns as wide as their widest panel. Tensors are read asynchronously and not disposed.
 */
export async function renderGrid(rows: readonly (readonly Panel[])[], options: GridOptions = {}): Promise<RenderedGrid> {
  if (rows.length === 0 || rows.every((r) => r.length === 0)) throw new PictureError('renderGrid: no panels to draw.');
  const rendered = await Promise.all(rows.map((r) => Promise.all(r.map(async (p) => renderPanel({ ...p, image: await hostImage(p.image) })))));
  const pad = options.padding ?? 4;
  const maxSide = Math.max(...rendered.flat().map((img) => Math.max(img.width, img.height)));
  const scale = options.scale === undefined || options.scale === 'auto' ? Math.max(1, Math.floor(96 / maxSide)) : options.scale;
  if (!Number.isInteger(scale) || scale < 1) throw new PictureError(`renderGrid: scale must be a positive integer or 'auto', got ${options.scale}.`);
  const columns = Math.max(...rendered.map((r) => r.length));
  const colWidth = Array.from({ length: columns }, (_, c) => Math.max(0, ...rendered.map((r) => (r[c] ? r[c].width * scale : 0))));
  const titleHeight = rows.map((r) => (r.some((p) => p.title) ? FONT_HEIGHT + 3 : 0));
  const rowHeight = rendered.map((r, i) => (titleHeight[i] as number) + Math.max(...r.map((img) => img.height * scale)));
  const width = pad + colWidth.reduce((a, w) => a + w + pad, 0);
  const height = pad + rowHeight.reduce((a, h) => a + h + pad, 0);
  const image = createRgbImage(width, height, options.background ?? [24, 24, 24]);
  const placements: PanelPlacement[][] = [];
  let y = pad;
  rendered.forEach((r, ri) => {
    let x = pad;
    const row: PanelPlacement[] = [];
    r.forEach((img, ci) => {
      const title = rows[ri]?.[ci]?.title;
      if (title) drawText(image, fitText(title, colWidth[ci] as number), x, y, options.titleColor ?? [255, 255, 255]);
      const py = y + (titleHeight[ri] as number);
      blit(image, img, x, py, scale);
      row.push({ row: ri, column: ci, x, y: py, width: img.width * scale, height: img.height * scale, scale });
      x += (colWidth[ci] as number) + pad;
    });
    placements.push(row);
    y += (rowHeight[ri] as number) + pad;
  });
  return { image, placements };
}

/**
 * Write rows of panels (input, masked input, prediction, target, …; see `reconstructionRows`) as
 * one PNG, creating the folder. Returns where each panel was drawn.
 *
 * @example
 * ```ts
 * await writeReconstructionGrid('runs/a/pictures/step-000100.png', [[
 *   { title: 'input', image: rgbTensor, kind: 'rgb' },
 *   { title: 'dw target', image: labels, kind: 'categorical' },
 * ]]);
 * ```
 */
export async function writeReconstructionGrid(path: string, rows: readonly (readonly Panel[])[], options: GridOptions = {}): Promise<readonly PanelPlacement[][]> {
  const { image, placements } = await renderGrid(rows, options);
  writePng(path, image);
  return placements;
}
