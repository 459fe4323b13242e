import type * as tf from '@tensorflow/tfjs';
import type { ComputedTensor } from './compare';
import type { FixtureReader } from './fixture';
import type { ParityCase } from './manifest';

/** What a handler sees for one case on one backend. */
export interface ParityContext {
  /** The case entry of `manifest.json` (`kind`, `constructor`, settings, `notes`, `tolerance`). */
  readonly case: ParityCase;
  /** Its settings under `constructor` (`{}` when absent). */
  readonly settings: Record<string, unknown>;
  /** The fixture folder. */
  readonly dir: string;
  /** The tfjs backend active while the handler runs. */
  readonly backend: string;
  /** The case file (inputs, params, references). */
  readonly fixture: FixtureReader;
  /** Names of the reference tensors (`output/*`, `grad/*`) the file holds: compute all of them. */
  readonly expected: readonly string[];
}

/** A tensor a handler could not compute, with the reason (reported as a failure). */
export interface NotComputed {
  readonly notComputed: string;
}

/** Mark a reference tensor as not computed, with the reason shown in the report. */
export function notComputed(reason: string): NotComputed {
  return { notComputed: reason };
}

/**
 * One computed value: a tf.Tensor (read back and disposed by the runner), a number (scalar), an
 * array or typed array (flat, C order; takes the reference's shape), `{shape, data}`, or
 * {@link notComputed}.
 */
export type ParityValue = tf.Tensor | number | ArrayLike<number> | ComputedTensor | NotComputed;

/** The computed tensors of a case, keyed by reference tensor name (`output/…`, `grad/…`). */
export type ParityOutputs = ReadonlyMap<string, ParityValue> | Readonly<Record<string, ParityValue>>;

/**
 * Computes a case's reference tensors with terramae. Take every size from `ctx.settings`, the
 * case's other fields and the tensor shapes, never from constants. Tensors it returns are disposed
 * by the runner; any other tensor it creates it must dispose (the runner reports leaks).
 */
export type ParityHandler = (ctx: ParityContext) => ParityOutputs | Promise<ParityOutputs>;

const handlers = new Map<string, ParityHandler>();

/**
 * Register the handler of a case `kind`. A second registration of the same kind replaces the
 * first with a warning (unless `replace: true` says it is intended).
 */
export function registerParityKind(kind: string, handler: ParityHandler, options: { replace?: boolean } = {}): void {
  if (handlers.has(kind) && !options.replace) console.warn(`[parity] handler for kind "${kind}" registered twice; the later one wins`);
  handlers.set(kind, handler);
}

/** Remove a handler (tests). */
export function unregisterParityKind(kind: string): boolean {
  return handlers.delete(kind);
}

/** The handler of `kind`, if any. */
export function getParityHandler(kind: string): ParityHandler | undefined {
  return handlers.get(kind);
}

/** Kinds with a handler, sorted. */
export function registeredParityKinds(): string[] {
  return [...handlers.keys()].sort();
}
