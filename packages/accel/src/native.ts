import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

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
  let dir = typeof __dirname === 'string' ? __dirname : dirname(new URL(import.meta.url).pathname);
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    dir = resolve(dir, '..');
  }
  return dir;
}

/**
 * Load the native SGEMM addon for this platform (`prebuilds/<platform>-<arch>/terramae-accel.node`,
 * or the file named by `TERRAMAE_ACCEL_ADDON`). Never throws: a missing or unloadable binary is
 * returned as a reason.
 */
export function loadNative(): NativeLoadResult {
  if (cached) return cached;
  const path = process.env.TERRAMAE_ACCEL_ADDON ?? join(packageRoot(), 'prebuilds', `${process.platform}-${process.arch}`, 'terramae-accel.node');
  if (!existsSync(path)) {
    cached = { path, reason: `no native binary for ${process.platform}-${process.arch} at ${path} (build it with \`npm run build -w @terramae/accel\`)` };
    return cached;
  }
  try {
    const req = createRequire(join(packageRoot(), 'package.json'));
    const addon = req(path) as NativeSgemm;
    if (typeof addon.sgemm !== 'function') throw new Error('the binary exports no sgemm');
    cached = { addon, path };
  } catch (error) {
    cached = { path, reason: `the native binary ${path} did not load: ${(error as Error).message.split('\n')[0]}` };
  }
  return cached;
}
