import { join } from 'node:path';
import type { Batch } from '@terramae/tensors';
import type { Panel } from './panel';
import { writeReconstructionGrid, type GridOptions } from './reconstruction-grid';

/** Options of {@link pictureHook}. */
export interface PictureHookOptions extends GridOptions {
  /** Folder of the pictures (`step-00000100.png`, …). */
  readonly dir: string;
  /** Draw every N steps. Default 100. */
  readonly every?: number;
  /**
   * The rows of one picture for this step's batch, e.g. with `reconstructionRows` from the
   * model's predictions. Tensors it creates are its own to dispose; the batch belongs to the loop.
   */
  readonly rows: (step: number, batch: Batch) => Promise<Panel[][]> | Panel[][];
  /** Called with the path of every picture written. */
  readonly onWrite?: (path: string, step: number) => void;
}

/**
 * An `onStep` hook for the training loop that writes a reconstruction picture every `every` steps:
 * `pretrain({ …, onStep: pictureHook({ dir: 'runs/a/pictures', every: 500, rows }) })`.
 */
export function pictureHook(options: PictureHookOptions): (step: number, batch: Batch) => Promise<void> {
  const every = options.every ?? 100;
  if (!Number.isInteger(every) || every < 1) throw new RangeError(`pictureHook: every must be a positive integer, got ${every}`);
  const { dir, rows, onWrite, every: _every, ...grid } = options;
  return async (step, batch) => {
    if (step % every !== 0) return;
    const path = join(dir, `step-${String(step).padStart(8, '0')}.png`);
    await writeReconstructionGrid(path, await rows(step, batch), grid);
    onWrite?.(path, step);
  };
}
