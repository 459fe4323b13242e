// Test helpers: write small GeoTIFFs with geotiff.js (not published).
import { writeFileSync } from 'node:fs';
import { writeArrayBuffer } from 'geotiff';

/** Write a pixel-interleaved multi-band GeoTIFF; `bands` are band-sequential H*W arrays. */
export function writeTestGeoTiff(
  path: string,
  bands: ArrayLike<number>[],
  width: number,
  height: number,
  options: { dtype?: 'uint16' | 'float32'; epsg?: number; origin?: [number, number]; pixel?: number } = {},
): void {
  const C = bands.length;
  const dtype = options.dtype ?? 'uint16';
  const values = dtype === 'uint16' ? new Uint16Array(C * width * height) : new Float32Array(C * width * height);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < C; c++) values[p * C + c] = bands[c]![p]!;
  const meta: Record<string, unknown> = {
    width,
    height,
    SamplesPerPixel: C,
    BitsPerSample: Array(C).fill(dtype === 'uint16' ? 16 : 32),
    SampleFormat: Array(C).fill(dtype === 'uint16' ? 1 : 3),
    PlanarConfiguration: 1,
    PhotometricInterpretation: 1,
  };
  if (options.epsg) {
    const [x, y] = options.origin ?? [500000, 5000000];
    const px = options.pixel ?? 10;
    meta.ModelPixelScale = [px, px, 0];
    meta.ModelTiepoint = [0, 0, 0, x, y, 0];
    meta.ProjectedCSTypeGeoKey = options.epsg;
    meta.GTModelTypeGeoKey = 1;
    meta.GTRasterTypeGeoKey = 1;
  }
  const buf = writeArrayBuffer(values, meta as Parameters<typeof writeArrayBuffer>[1]);
  writeFileSync(path, Buffer.from(buf));
}

/** Write a baseline uint16 TIFF with no georeferencing tags at all (pixel-interleaved, one strip). */
export function writePlainTiff(path: string, bands: ArrayLike<number>[], width: number, height: number): void {
  const C = bands.length;
  const pixels = new Uint16Array(C * width * height);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < C; c++) pixels[p * C + c] = bands[c]![p]!;
  const entries: [number, number, number, number | number[]][] = [
    // tag, type (3 SHORT, 4 LONG), count, value(s)
    [256, 3, 1, width],
    [257, 3, 1, height],
    [258, 3, C, Array(C).fill(16)],
    [259, 3, 1, 1],
    [262, 3, 1, 1],
    [273, 4, 1, 0], // strip offset, patched below
    [277, 3, 1, C],
    [278, 3, 1, height],
    [279, 4, 1, pixels.byteLength],
    [284, 3, 1, 1],
    [339, 3, C, Array(C).fill(1)],
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  let extra = ifdOffset + ifdSize;
  const extraBlocks: [number, number[], number][] = [];
  for (const e of entries) {
    const vals = Array.isArray(e[3]) ? e[3] : [e[3]];
    const bytes = vals.length * (e[1] === 3 ? 2 : 4);
    if (bytes > 4) {
      extraBlocks.push([extra, vals, e[1]]);
      e[3] = [extra];
      extra += bytes + (bytes % 2);
    }
  }
  const dataOffset = extra;
  const buf = Buffer.alloc(dataOffset + pixels.byteLength);
  buf.write('II', 0, 'ascii');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(ifdOffset, 4);
  buf.writeUInt16LE(entries.length, ifdOffset);
  entries.forEach((e, i) => {
    const at = ifdOffset + 2 + i * 12;
    buf.writeUInt16LE(e[0], at);
    buf.writeUInt16LE(e[1], at + 2);
    buf.writeUInt32LE(e[2], at + 4);
    const v = e[0] === 273 ? dataOffset : (Array.isArray(e[3]) ? e[3][0]! : e[3]);
    const isPointer = Array.isArray(e[3]) && e[2] * (e[1] === 3 ? 2 : 4) > 4;
    if (e[1] === 3 && !isPointer) buf.writeUInt16LE(v, at + 8);
    else buf.writeUInt32LE(v, at + 8);
  });
  buf.writeUInt32LE(0, ifdOffset + 2 + entries.length * 12);
  for (const [at, vals, type] of extraBlocks) {
    vals.forEach((v, k) => (type === 3 ? buf.writeUInt16LE(v, at + 2 * k) : buf.writeUInt32LE(v, at + 4 * k)));
  }
  Buffer.from(pixels.buffer).copy(buf, dataOffset);
  writeFileSync(path, buf);
}
