/**
 * Separable image resampling with pixel-area alignment (`align_corners = false`) and, when
 * shrinking, an antialiasing kernel widened by the scale factor (as Pillow does). Works on a
 * fractional source window, so random-resized crops keep exact geometry.
 */

/** Interpolation kernel. `nearest` is the only one for categorical maps. */
export type ResampleMethod = 'nearest' | 'bilinear' | 'bicubic';

/** A source window `[x0, y0, width, height]` in pixels (fractional allowed). */
export type PixelRect = readonly [x0: number, y0: number, width: number, height: number];

interface AxisWeights {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float32Array;
  readonly taps: number;
}

function kernel(method: ResampleMethod, x: number): number {
  const a = Math.abs(x);
  if (method === 'bilinear') return a < 1 ? 1 - a : 0;
  // Keys cubic convolution, a = -0.5 (Pillow, OpenCV's INTER_CUBIC uses -0.75)
  const A = -0.5;
  if (a < 1) return ((A + 2) * a - (A + 3)) * a * a + 1;
  if (a < 2) return ((A * a - 5 * A) * a + 8 * A) * a - 4 * A;
  return 0;
}

function axisWeights(inSize: number, outSize: number, from: number, length: number, method: ResampleMethod, antialias: boolean): AxisWeights {
  const scale = length / outSize;
  if (method === 'nearest') {
    const start = new Int32Array(outSize);
    for (let i = 0; i < outSize; i++) {
      const c = from + (i + 0.5) * scale;
      start[i] = Math.min(inSize - 1, Math.max(0, Math.floor(c)));
    }
    return { start, count: new Int32Array(outSize).fill(1), weights: new Float32Array(outSize).fill(1), taps: 1 };
  }
  const support = method === 'bilinear' ? 1 : 2;
  const stretch = antialias ? Math.max(scale, 1) : 1;
  const radius = support * stretch;
  const taps = Math.ceil(radius) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    const center = from + (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - radius));
    const hi = Math.min(inSize, Math.ceil(center + radius));
    let total = 0;
    let n = 0;
    for (let j = lo; j < hi && n < taps; j++, n++) {
      const w = kernel(method, (j + 0.5 - center) / stretch);
      weights[i * taps + n] = w;
      total += w;
    }
    if (total === 0) {
      // window entirely outside the kernel (degenerate crop): nearest pixel
      const j = Math.min(inSize - 1, Math.max(0, Math.floor(center)));
      start[i] = j;
      count[i] = 1;
      weights[i * taps] = 1;
      continue;
    }
    for (let k = 0; k < n; k++) weights[i * taps + k] = (weights[i * taps + k] as number) / total;
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, weights, taps };
}

/**
 * Resample an interleaved `[H, W, C]` array (a window of it) to `[outH, outW, C]`.
 * @param rect - source window (default the whole image)
 * @param antialias - widen the kernel when shrinking (default true; ignored by `nearest`)
 */
export function resampleHwc<T extends Float32Array | Int32Array>(
  src: T,
  height: number,
  width: number,
  channels: number,
  outH: number,
  outW: number,
  method: ResampleMethod,
  rect: PixelRect = [0, 0, width, height],
  antialias = true,
): T {
  const [x0, y0, rw, rh] = rect;
  const wx = axisWeights(width, outW, x0, rw, method, antialias);
  const wy = axisWeights(height, outH, y0, rh, method, antialias);
  const Ctor = src.constructor as new (n: number) => T;
  const out = new Ctor(outH * outW * channels);
  if (method === 'nearest') {
    for (let i = 0; i < outH; i++) {
      const sy = wy.start[i] as number;
      for (let j = 0; j < outW; j++) {
        const sx = wx.start[j] as number;
        const s = (sy * width + sx) * channels;
        const d = (i * outW + j) * channels;
        for (let c = 0; c < channels; c++) out[d + c] = src[s + c] as number;
      }
    }
    return out;
  }
  // horizontal pass over the rows the vertical pass needs
  const rowLo = wy.start.reduce((m, v) => Math.min(m, v), height);
  let rowHi = 0;
  for (let i = 0; i < outH; i++) rowHi = Math.max(rowHi, (wy.start[i] as number) + (wy.count[i] as number));
  const tmp = new Float64Array((rowHi - rowLo) * outW * channels);
  for (let y = rowLo; y < rowHi; y++) {
    for (let j = 0; j < outW; j++) {
      const s0 = wx.start[j] as number;
      const n = wx.count[j] as number;
      const d = ((y - rowLo) * outW + j) * channels;
      for (let k = 0; k < n; k++) {
        const w = wx.weights[j * wx.taps + k] as number;
        const s = (y * width + s0 + k) * channels;
        for (let c = 0; c < channels; c++) tmp[d + c] = (tmp[d + c] as number) + w * (src[s + c] as number);
      }
    }
  }
  for (let i = 0; i < outH; i++) {
    const s0 = wy.start[i] as number;
    const n = wy.count[i] as number;
    for (let j = 0; j < outW; j++) {
      const d = (i * outW + j) * channels;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += (wy.weights[i * wy.taps + k] as number) * (tmp[((s0 + k - rowLo) * outW + j) * channels + c] as number);
        out[d + c] = acc;
      }
    }
  }
  return out;
}

/** Resample one `[H, W]` plane (a single channel). */
export function resamplePlane(
  src: Float32Array,
  height: number,
  width: number,
  outH: number,
  outW: number,
  method: ResampleMethod,
  rect?: PixelRect,
): Float32Array {
  return resampleHwc(src, height, width, 1, outH, outW, method, rect);
}
