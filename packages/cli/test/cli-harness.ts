// Helpers of the CLI tests: spawn the test build of `terramae`, or run the CLI in process.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../src/run';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The test build of the binary (see global-setup.ts). */
export const BIN = join(root, 'node_modules', '.cache', 'terramae-cli-test', 'bin.js');

/** The tiny-backbones plugin. */
export const TINY_PLUGIN = join(root, 'test', 'fixtures', 'tiny-backbones.mjs');

/** What a command printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'terramae-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Spawn `node <bin> ...args` and wait for it. */
export function terramae(args: readonly string[], options: { cwd?: string; timeout?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd ?? root, encoding: 'utf8', timeout: options.timeout ?? 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Spawn the binary and send it SIGINT once its standard error matches `when`. */
export function terramaeInterrupted(args: readonly string[], when: RegExp, options: { cwd?: string } = {}): Promise<CliResult & { signalled: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? root });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!signalled && when.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr, signalled }));
  });
}

/** Run the CLI in this process (same code as the binary), capturing its output. */
export async function runInProcess(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}
