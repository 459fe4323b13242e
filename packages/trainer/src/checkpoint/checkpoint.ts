import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadSafetensors, saveSafetensors, TerramaeError, type RngState } from '@terramae/tensors';

/** A checkpoint that cannot be read or does not fit. */
export class CheckpointError extends TerramaeError {}

/** Everything besides tensors that a checkpoint records. */
export interface CheckpointMeta {
  /** Optimiser steps taken. */
  readonly step: number;
  /** Generator state at the end of the step. */
  readonly rng: RngState;
  /** Data position (the stream's `state()`). */
  readonly data: unknown;
  /** The recipe the run was started with (serialisable). */
  readonly recipe?: unknown;
  /** Per-task losses of the last step, for the record. */
  readonly lastLosses?: Readonly<Record<string, number>>;
  /** terramae format version. */
  readonly format: 1;
  readonly createdAt: string;
}

/** File names inside a checkpoint folder. */
export const CHECKPOINT_FILES = { weights: 'model.safetensors', optimizer: 'optimizer.safetensors', meta: 'meta.json' } as const;

/** `checkpoint-<step, 8 digits>` */
export function checkpointName(step: number): string {
  return `checkpoint-${String(step).padStart(8, '0')}`;
}

/**
 * Write a checkpoint atomically: everything goes to a temporary folder first, which is renamed
 * into place only when complete, so a crash or SIGKILL never leaves a half-written checkpoint.
 * The weights use the PyTorch names and layouts (`torchStateDict()`), so the original code loads them.
 *
 * @returns the checkpoint folder.
 */
export function saveCheckpoint(
  dir: string,
  weights: Readonly<Record<string, tf.Tensor>>,
  optimizerState: Readonly<Record<string, tf.Tensor>>,
  meta: Omit<CheckpointMeta, 'format' | 'createdAt'>,
  keepLast = 3,
): string {
  mkdirSync(dir, { recursive: true });
  const final = join(dir, checkpointName(meta.step));
  const temp = `${final}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  saveSafetensors(join(temp, CHECKPOINT_FILES.weights), weights, { format: 'pt', producer: 'terramae' });
  saveSafetensors(join(temp, CHECKPOINT_FILES.optimizer), optimizerState, { producer: 'terramae' });
  const full: CheckpointMeta = { ...meta, format: 1, createdAt: new Date().toISOString() };
  writeFileSync(join(temp, CHECKPOINT_FILES.meta), JSON.stringify(full, null, 2));
  rmSync(final, { recursive: true, force: true });
  renameSync(temp, final);
  pruneCheckpoints(dir, keepLast);
  return final;
}

/** Checkpoint folders in `dir`, oldest first (temporary folders are ignored). */
export function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^checkpoint-\d{8}$/.test(n) && existsSync(join(dir, n, CHECKPOINT_FILES.meta)))
    .sort()
    .map((n) => join(dir, n));
}

/** The newest complete checkpoint in `dir`, if any. */
export function latestCheckpoint(dir: string): string | undefined {
  return listCheckpoints(dir).at(-1);
}

/** Keep only the newest `keep` checkpoints (and remove stale temporary folders). */
export function pruneCheckpoints(dir: string, keep: number): void {
  const all = listCheckpoints(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(old, { recursive: true, force: true });
  for (const n of readdirSync(dir)) if (/\.tmp-\d+$/.test(n) && !n.endsWith(`.tmp-${process.pid}`)) rmSync(join(dir, n), { recursive: true, force: true });
}

/** A loaded checkpoint (caller disposes the tensors). */
export interface LoadedCheckpoint {
  readonly path: string;
  readonly weights: Record<string, tf.Tensor>;
  readonly optimizer: Record<string, tf.Tensor>;
  readonly meta: CheckpointMeta;
}

/** Read a checkpoint folder written by {@link saveCheckpoint}. */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  const metaPath = join(path, CHECKPOINT_FILES.meta);
  if (!existsSync(metaPath)) throw new CheckpointError(`${path} is not a terramae checkpoint: ${CHECKPOINT_FILES.meta} is missing.`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CheckpointMeta;
  } catch (error) {
    throw new CheckpointError(`${metaPath} is not valid JSON (${String(error)}); the checkpoint is damaged — resume from an older one.`);
  }
  if (meta.format !== 1) throw new CheckpointError(`${metaPath}: unsupported checkpoint format ${String(meta.format)} (this terramae reads format 1).`);
  const weights = loadSafetensors(join(path, CHECKPOINT_FILES.weights));
  const optimizer = existsSync(join(path, CHECKPOINT_FILES.optimizer)) ? loadSafetensors(join(path, CHECKPOINT_FILES.optimizer)) : {};
  return { path, weights, optimizer, meta };
}
