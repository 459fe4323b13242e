import * as tf from '@tensorflow/tfjs';
import { GradientError } from './errors';

interface TensorInfoInternal {
  bytes: number;
}
interface EngineMemoryInternals {
  state: { tensorInfo: WeakMap<object, TensorInfoInternal> };
  trackTensor(a: tf.Tensor, backend: unknown): void;
  removeDataId(dataId: object, backend: unknown): void;
}

/** What {@link measurePeakMemory} found, in bytes of tensor buffers above those live when it started. */
export interface PeakMemory<T> {
  /** The function's result. */
  result: T;
  /** Highest number of bytes of tensor buffers allocated and not yet freed at any moment while it ran. */
  peakBytes: number;
  /** Bytes still allocated when it returned (0 when the function released everything it made). */
  endBytes: number;
}

/**
 * Run `fn` and report the peak bytes of tensor buffers it held at once, counting each buffer once.
 * `tf.memory().numBytes` and `tf.profile().peakBytes` count every tensor object, so a buffer
 * shared by clones (as the ones a gradient tape saves) is counted several times; this counts what
 * the backend really holds. For synchronous functions (the hooks are installed while it runs).
 *
 * @example
 * ```ts
 * const { peakBytes } = measurePeakMemory(() => trainStep(batch));
 * ```
 */
export function measurePeakMemory<T>(fn: () => T): PeakMemory<T> {
  const engine = tf.engine() as unknown as EngineMemoryInternals;
  if (engine.state?.tensorInfo == null || typeof engine.trackTensor !== 'function' || typeof engine.removeDataId !== 'function') {
    throw new GradientError('measurePeakMemory: this tfjs build does not expose the engine bookkeeping it reads (tfjs-core 4.x does).');
  }
  let live = 0;
  let peak = 0;
  const originalTrack = engine.trackTensor;
  const originalRemove = engine.removeDataId;
  const ownTrack = Object.prototype.hasOwnProperty.call(engine, 'trackTensor');
  const ownRemove = Object.prototype.hasOwnProperty.call(engine, 'removeDataId');
  engine.trackTensor = function (this: EngineMemoryInternals, a: tf.Tensor, backend: unknown) {
    const isNew = !this.state.tensorInfo.has(a.dataId);
    originalTrack.call(this, a, backend);
    if (isNew) {
      live += this.state.tensorInfo.get(a.dataId)?.bytes ?? 0;
      if (live > peak) peak = live;
    }
  };
  engine.removeDataId = function (this: EngineMemoryInternals, dataId: object, backend: unknown) {
    const info = this.state.tensorInfo.get(dataId);
    originalRemove.call(this, dataId, backend);
    // Buffers that existed before the call count negative here, which is what "above the start" means.
    if (info && !this.state.tensorInfo.has(dataId)) live -= info.bytes;
  };
  try {
    const result = fn();
    return { result, peakBytes: peak, endBytes: live };
  } finally {
    // Put the engine back exactly as it was (the methods normally live on its prototype).
    if (ownTrack) engine.trackTensor = originalTrack;
    else delete (engine as Partial<EngineMemoryInternals>).trackTensor;
    if (ownRemove) engine.removeDataId = originalRemove;
    else delete (engine as Partial<EngineMemoryInternals>).removeDataId;
  }
}
