import { defineConfig, type Options } from 'tsup';
import { createTsupConfig } from '@terramae/tsup-config';

// The library (ESM + CJS + types) and the `terramae` executable (ESM, with a shebang). The two
// builds run together, so each cleans only its own files.
const library = createTsupConfig() as Options;

export default defineConfig([
  { ...library, clean: ['index.*'] },
  {
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: ['bin.*'],
    splitting: false,
    treeshake: true,
    target: 'es2022',
    platform: 'node',
    skipNodeModulesBundle: true,
    outDir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
