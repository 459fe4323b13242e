/**
 * Plain float64 JavaScript convolutions (test references, not part of the published API): NHWC
 * input, HWIO filter, PyTorch semantics (zero padding `pad` on every side, output
 * `floor((H + 2·pad − k) / stride) + 1`), with their exact adjoints for gradient checks.
 */

/** Shape and hyper-parameters of a reference convolution. */
export interface RefConvSpec {
  /** NHWC input shape. */
  readonly x: readonly [number, number, number, number];
  /** Filter shape: HWIO `[kh, kw, Cin, Cout]`, or `[kh, kw, C, 1]` when `depthwise`. */
  readonly w: readonly [number, number, number, number];
  readonly stride?: number;
  readonly pad?: number;
  /** One filter per channel (PyTorch `groups = C`). */
  readonly depthwise?: boolean;
}

/** Output shape `[N, oh, ow, Cout]` of {@link refConv2d}. */
export function refConvOutShape(spec: RefConvSpec): [number, number, number, number] {
  const [n, h, w] = spec.x;
  const [kh, kw, , cout] = spec.w;
  const s = spec.stride ?? 1;
  const p = spec.pad ?? 0;
  const oh = Math.floor((h + 2 * p - kh) / s) + 1;
  const ow = Math.floor((w + 2 * p - kw) / s) + 1;
  return [n, oh, ow, spec.depthwise ? spec.x[3] : cout];
}

/** Visit every (output, input, filter) index triple of the convolution that touches the image. */
function forEachTap(spec: RefConvSpec, visit: (yi: number, xi: number, wi: number) => void): void {
  const [n, h, w, cin] = spec.x;
  const [kh, kw, , cout] = spec.w;
  const s = spec.stride ?? 1;
  const p = spec.pad ?? 0;
  const [, oh, ow, co] = refConvOutShape(spec);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let i = 0; i < kh; i++) {
          const iy = oy * s + i - p;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * s + j - p;
            if (ix < 0 || ix >= w) continue;
            const xBase = ((b * h + iy) * w + ix) * cin;
            const yBase = ((b * oh + oy) * ow + ox) * co;
            if (spec.depthwise) {
              for (let c = 0; c < cin; c++) visit(yBase + c, xBase + c, (i * kw + j) * cin + c);
            } else {
              for (let c = 0; c < cin; c++) {
                for (let o = 0; o < cout; o++) visit(yBase + o, xBase + c, ((i * kw + j) * cin + c) * cout + o);
              }
            }
          }
        }
      }
    }
  }
}

/** Float64 convolution `y = conv(x, w) (+ bias)`. */
export function refConv2d(x: ArrayLike<number>, w: ArrayLike<number>, spec: RefConvSpec, bias?: ArrayLike<number>): Float64Array {
  const shape = refConvOutShape(spec);
  const y = new Float64Array(shape.reduce((a, d) => a * d, 1));
  forEachTap(spec, (yi, xi, wi) => {
    y[yi] = (y[yi] as number) + (x[xi] as number) * (w[wi] as number);
  });
  if (bias) for (let i = 0; i < y.length; i++) y[i] = (y[i] as number) + (bias[i % shape[3]] as number);
  return y;
}

/** Float64 vector–Jacobian products of {@link refConv2d}: `dx`, `dw` and `db` for a cotangent `dy`. */
export function refConv2dGrads(x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>, spec: RefConvSpec): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  const channels = refConvOutShape(spec)[3];
  const db = new Float64Array(channels);
  forEachTap(spec, (yi, xi, wi) => {
    dx[xi] = (dx[xi] as number) + (dy[yi] as number) * (w[wi] as number);
    dw[wi] = (dw[wi] as number) + (dy[yi] as number) * (x[xi] as number);
  });
  for (let i = 0; i < dy.length; i++) db[i % channels] = (db[i % channels] as number) + (dy[i] as number);
  return { dx, dw, db };
}
