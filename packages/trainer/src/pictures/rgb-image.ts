import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';
import { PictureError } from './errors';

/** An 8-bit RGB raster, row-major, 3 bytes per pixel. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** An RGB colour, 0–255 per channel. */
export type Rgb = readonly [number, number, number];

/** A new image filled with one colour. */
export function createRgbImage(width: number, height: number, fill: Rgb = [0, 0, 0]): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new PictureError(`createRgbImage: width and height must be positive integers, got ${width}×${height}.`);
  }
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(fill, i * 3);
  return { width, height, data };
}

/** The colour at `(x, y)`. */
export function pixelAt(image: RgbImage, x: number, y: number): Rgb {
  const o = (y * image.width + x) * 3;
  return [image.data[o] as number, image.data[o + 1] as number, image.data[o + 2] as number];
}

/** Copy `src` into `dst` with its top-left corner at `(x, y)`, each source pixel as a `scale × scale` block; parts outside `dst` are clipped. */
export function blit(dst: RgbImage, src: RgbImage, x: number, y: number, scale = 1): void {
  for (let sy = 0; sy < src.height * scale; sy++) {
    const dy = y + sy;
    if (dy < 0 || dy >= dst.height) continue;
    for (let sx = 0; sx < src.width * scale; sx++) {
      const dx = x + sx;
      if (dx < 0 || dx >= dst.width) continue;
      const so = (Math.floor(sy / scale) * src.width + Math.floor(sx / scale)) * 3;
      dst.data.set(src.data.subarray(so, so + 3), (dy * dst.width + dx) * 3);
    }
  }
}

/** Encode as an 8-bit RGBA PNG (opaque). */
export function encodePng(image: RgbImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  for (let i = 0; i < image.width * image.height; i++) {
    png.data[i * 4] = image.data[i * 3] as number;
    png.data[i * 4 + 1] = image.data[i * 3 + 1] as number;
    png.data[i * 4 + 2] = image.data[i * 3 + 2] as number;
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** Decode a PNG into RGB (alpha dropped). */
export function decodePng(buffer: Buffer): RgbImage {
  const png = PNG.sync.read(buffer);
  const data = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) {
    data[i * 3] = png.data[i * 4] as number;
    data[i * 3 + 1] = png.data[i * 4 + 1] as number;
    data[i * 3 + 2] = png.data[i * 4 + 2] as number;
  }
  return { width: png.width, height: png.height, data };
}

/** Write an image as a PNG file, creating its folder. */
export function writePng(path: string, image: RgbImage): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(image));
}
