import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions of the native addon (`native/sgemm.c`). */
export interface NativeSgemm {
  /**
   * `c[i] = op(a[i]) · op(b[i]) (+ bias) (activation)` for `i < batch`, row-major, where `op(a)` is
   * `m × k` and `op(b)` is `k × n`; batch strides are in elements (0 broadcasts one matrix).
   * `activation`: 0 linear, 1 relu, 2 relu6.
   */
  sgemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transposeA: number,
    transposeB: number,
    aBatchStride: number,
    bBatchStride: number,
    bias?: Float32Array | null,
    activation?: number,
  ): void;
  /**
   * NHWC depthwise convolution with channel multiplier 1 (`native/dwconv.c`): input `[n, h, w, c]`,
   * filter `[kh, kw, c, 1]`, output `[n, oh, ow, c]`; `pt`/`pl` are the zero rows/columns before the
   * input. Absent from binaries built before it existed.
   */
  dwconv?(
    x: Float32Array,
    w: Float32Array,
    out: Float32Array,
    n: number,
    h: number,
    width: number,
    c: number,
    kh: number,
    kw: number,
    oh: number,
    ow: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    pt: number,
    pl: number,
  ): void;
  /**
   * `out[o, i] = Σ_j x[o, j, i]` for `x` seen as `[outer, r, inner]` (`native/reduce.c`), summing in
   * increasing `j` like the stock kernels. Absent from binaries built before it existed.
   */
  sumAxes?(x: Float32Array, out: Float32Array, outer: number, r: number, inner: number): void;
  /** The micro-kernel in use (`avx512f`, `avx2+fma`, `generic`); a number forces one (0 best, 1 generic, 2 avx2, 3 avx512). */
  isa(force?: number): string;
}

/** Where the addon was looked for and why it did not load, when it did not. */
export interface NativeLoadResult {
  readonly addon?: NativeSgemm;
  readonly path?: string;
  readonly reason?: string;
}

let cached: NativeLoadResult | undefined;

/** The package root: the folder holding this package's `package.json` (from `src/` or `dist/`). */
function packageRoot(): string {
  let dir: string;
  try {
    dir = dirname(fileURLToPath(import.meta.url)); // ESM (src/ or dist/index.js)
  } catch {
    dir = typeof __dirname === 'string' ? resolve(__dirname) : process.cwd(); // CJS build: import.meta is empty
  }
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    dir = resolve(dir, '..');
  }
  return dir;
}

/**
 * Load the native SGEMM addon for this platform (`prebuilds/<platform>-<arch>/terramae-accel.node`,
 * the file named by `TERRAMAE_ACCEL_ADDON`, or `explicitPath`, which is not cached). Never throws: a missing or unloadable binary is
 * returned as a reason.
 */
export function loadNative(explicitPath?: string): NativeLoadResult {
  if (explicitPath) {
    const saved = cached;
    cached = undefined;
    process.env.TERRAMAE_ACCEL_ADDON_ONCE = explicitPath;
    const r = loadNative();
    delete process.env.TERRAMAE_ACCEL_ADDON_ONCE;
    cached = saved;
    return r;
  }
  if (cached) return cached;
  const once = process.env.TERRAMAE_ACCEL_ADDON_ONCE;
  const path = once ?? process.env.TERRAMAE_ACCEL_ADDON ?? join(packageRoot(), 'prebuilds', `${process.platform}-${process.arch}`, 'terramae-accel.node');
  if (!existsSync(path)) {
    const r = { path, reason: `no native binary for ${process.platform}-${process.arch} at ${path} (build it with \`npm run build -w @terramae/accel\`)` };
    if (!once) cached = r;
    return r;
  }
  try {
    const req = createRequire(join(packageRoot(), 'package.json'));
    const addon = req(path) as NativeSgemm;
    if (typeof addon.sgemm !== 'function') throw new Error('the binary exports no sgemm');
    const r = { addon, path };
    if (!once) cached = r;
    return r;
  } catch (error) {
    const r = { path, reason: `the native binary ${path} did not load: ${(error as Error).message.split('\n')[0]}` };
    if (!once) cached = r;
    return r;
  }
}
