import type * as tf from '@tensorflow/tfjs';
import type { RawTensor } from '@terramae/tensors';
import type { ConvNeXtV2 } from '../convnextv2/convnextv2';
import { CheckpointConversionError } from './errors';
import { convertMMEarthCheckpoint, type ConvertMMEarthCheckpointOptions } from './mmearth-sparse';

/** What {@link loadMMEarthCheckpoint} did. */
export interface LoadedMMEarthCheckpoint {
  /** Parameters the checkpoint does not hold and that keep their initial values (`norm.*`, `head.*`). */
  readonly freshlyInitialised: readonly string[];
  /** Checkpoint keys left out (decoder, mask token, projections, predictions, non-encoder keys). */
  readonly dropped: readonly string[];
}

const FRESH = /^(norm|head)\./;

/**
 * Convert an MMEarth checkpoint (sparse FCMAE pretraining or dense) and load it into a ConvNeXt V2,
 * as MMEarth's fine-tuning does: every encoder parameter must be present with the right shape; only
 * the final `norm` and the `head` may be missing (they keep their fresh initialisation). Any other
 * missing or unexpected key is a {@link CheckpointConversionError} naming it. Input tensors are not
 * disposed; the converted copies are.
 */
export function loadMMEarthCheckpoint(
  model: ConvNeXtV2,
  stateDict: Readonly<Record<string, tf.Tensor | RawTensor>>,
  options: ConvertMMEarthCheckpointOptions = {},
): LoadedMMEarthCheckpoint {
  const { stateDict: dict, dropped } = convertMMEarthCheckpoint(stateDict, options);
  try {
    const names = model.namedParameters().map((p) => p.name);
    const known = new Set(names);
    const missing = names.filter((n) => !(n in dict));
    const notFresh = missing.filter((n) => !FRESH.test(n));
    const unexpected = Object.keys(dict).filter((k) => !known.has(k));
    if (notFresh.length > 0 || unexpected.length > 0) {
      const lines = ['The checkpoint does not fit this ConvNeXt V2 (check size, inChannels, patchSize and stem).'];
      if (notFresh.length) lines.push(`  missing (${notFresh.length}): ${notFresh.join(', ')}`);
      if (unexpected.length) lines.push(`  unexpected (${unexpected.length}): ${unexpected.join(', ')}`);
      throw new CheckpointConversionError(lines.join('\n'));
    }
    model.loadTorchStateDict(dict, { strict: false });
    return { freshlyInitialised: missing, dropped };
  } finally {
    for (const t of Object.values(dict)) t.dispose();
  }
}
