import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tools/parity/src/default-dir.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The default fixture folder: `$TERRAMAE_SHARED/fixtures/parity` when `TERRAMAE_SHARED` is set,
 * else `../shared/fixtures/parity` relative to the repository root. `undefined` when it does not exist.
 */
export function defaultFixtureDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidate = env['TERRAMAE_SHARED']
    ? join(resolve(env['TERRAMAE_SHARED']), 'fixtures', 'parity')
    : join(REPO_ROOT, '..', 'shared', 'fixtures', 'parity');
  return existsSync(join(candidate, 'manifest.json')) ? candidate : undefined;
}
