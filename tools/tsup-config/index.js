// One build shape for every terramae package: ESM + CJS, declarations for both, sourcemaps,
// dependencies left external (tfjs must stay a single shared instance in the user's app).
import { defineConfig } from 'tsup';

/**
 * Create the tsup configuration of one package.
 * @param {{ entry?: Record<string, string> | string[], platform?: 'node' | 'neutral', banner?: string }} [options]
 */
export function createTsupConfig(options = {}) {
  return defineConfig({
    entry: options.entry ?? ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    treeshake: true,
    splitting: false,
    target: 'es2022',
    platform: options.platform ?? 'node',
    skipNodeModulesBundle: true,
    outDir: 'dist',
    ...(options.banner ? { banner: { js: options.banner } } : {}),
  });
}
