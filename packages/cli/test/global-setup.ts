// Builds the `terramae` binary from the current sources, as tsup builds dist/bin.js (same bundler,
// banner and externals), into node_modules/.cache so the tests never touch dist/. The spawned
// binary imports the other terramae packages from their dist/ (built by `nx run-many -t build`,
// which `npm test` runs first).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the test build of the binary is written. */
export const TEST_BIN = join(root, 'node_modules', '.cache', 'terramae-cli-test', 'bin.js');

export default async function setup(): Promise<void> {
  const missing = ['tensors', 'masking', 'backbones', 'pretext', 'datasets', 'trainer', 'recipes'].filter(
    (p) => !existsSync(join(root, '..', p, 'dist', 'index.js')),
  );
  if (missing.length) {
    throw new Error(`The CLI binary tests need the other packages built (missing dist of ${missing.join(', ')}): run \`npm run build\` first.`);
  }
  await build({
    config: false,
    entry: { bin: join(root, 'src', 'bin.ts') },
    format: ['esm'],
    platform: 'node',
    target: 'es2022',
    splitting: false,
    sourcemap: true,
    dts: false,
    clean: false,
    silent: true,
    skipNodeModulesBundle: true,
    outDir: dirname(TEST_BIN),
    banner: { js: '#!/usr/bin/env node' },
    tsconfig: join(root, 'tsconfig.json'),
  });
}
