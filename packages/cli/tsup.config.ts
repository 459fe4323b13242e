import { defineConfig } from 'tsup';
import { createTsupConfig } from '@terramae/tsup-config';

// The library (ESM + CJS + types) and the `terramae` executable (ESM, with a shebang).
export default defineConfig([
  createTsupConfig(),
  {
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    splitting: false,
    target: 'es2022',
    platform: 'node',
    skipNodeModulesBundle: true,
    outDir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
