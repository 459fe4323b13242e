// Test helpers shared by every package's suite (not published).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { shareWasmBuffers } from '@terramae/tensors';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shared folder with real data and reference fixtures: `TERRAMAE_SHARED`, else `../shared`
 * beside the repository when it exists, else `undefined` (tests that need it are skipped).
 */
export function sharedDir(): string | undefined {
  const fromEnv = process.env.TERRAMAE_SHARED;
  if (fromEnv) return existsSync(fromEnv) ? resolve(fromEnv) : undefined;
  const sibling = resolve(repoRoot, '..', 'shared');
  return existsSync(sibling) ? sibling : undefined;
}

/** Path of something inside the shared folder, or `undefined` (with a printed reason) when absent. */
export function sharedPath(...parts: string[]): string | undefined {
  const base = sharedDir();
  const path = base ? join(base, ...parts) : undefined;
  if (!path || !existsSync(path)) {
    const why = base ? `${join(base, ...parts)} does not exist` : 'no shared folder (set TERRAMAE_SHARED)';
    if (process.env.CI && process.env.TERRAMAE_REQUIRE_SHARED !== '0') {
      throw new Error(`CI needs the shared data: ${why}`);
    }
    console.warn(`[skip] ${why}`);
    return undefined;
  }
  return path;
}

/** Backends every numeric test runs on: `TERRAMAE_BACKENDS` (comma list) or cpu and wasm. */
export function testBackends(): string[] {
  return (process.env.TERRAMAE_BACKENDS ?? 'cpu,wasm').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Switch tfjs to a backend for the tests that follow, set up as `initBackend` sets it up. */
export async function useBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} did not start`);
  if (name === 'wasm') shareWasmBuffers();
  await tf.ready();
}

/** The repository root. */
export const REPO_ROOT = repoRoot;
