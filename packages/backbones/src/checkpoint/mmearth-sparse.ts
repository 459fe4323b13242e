import * as tf from '@tensorflow/tfjs';
import { isRawTensor, rawToTensor, type RawTensor } from '@terramae/tensors';
import { CheckpointConversionError } from './errors';

/** Options of {@link convertMMEarthCheckpoint}. */
export interface ConvertMMEarthCheckpointOptions {
  /**
   * When the dict has `encoder.*` keys (an FCMAE pretraining checkpoint), keep only those and
   * report the rest (e.g. `layer_norm_tmp.*`, loss weights) as dropped. Default true. With false,
   * every key that survives the reference's deletion rule is kept.
   */
  readonly encoderOnly?: boolean;
  /**
   * Upstream ConvNeXt V2 checkpoints (facebookresearch/ConvNeXt-V2 FCMAE, e.g. the ImageNet atto
   * baseline) keep the patchify stem in `downsample_layers.0` and the downsampling layers in
   * `downsample_layers.1..3`: rename them to MMEarth's `stem_orig.*` and `downsample_layers.0..2`
   * (load into a model built with `stem: 'original'`). Default false.
   */
  readonly upstreamStem?: boolean;
}

/** What {@link convertMMEarthCheckpoint} produced. */
export interface ConvertedCheckpoint {
  /** Dense PyTorch-layout tensors under dense state-dict names (new tensors; the caller disposes them). */
  readonly stateDict: Record<string, tf.Tensor>;
  /** Input keys that were left out (decoder, mask token, projections, predictions, non-encoder keys). */
  readonly dropped: readonly string[];
}

/** Substrings of keys MMEarth's fine-tuning deletes before loading (`main_finetune.py`). */
const DELETED = ['decoder', 'mask_token', 'proj', 'pred'] as const;

/** A checkpoint tensor: a tf.Tensor or raw bytes as read from a `.pth` or safetensors file. */
export type AnyTensor = tf.Tensor | RawTensor;

function toTensor(value: AnyTensor, key: string): tf.Tensor {
  if (value instanceof tf.Tensor) return value;
  if (isRawTensor(value)) return rawToTensor(value, key);
  throw new CheckpointConversionError(`Checkpoint entry '${key}' is neither a tf.Tensor nor a raw tensor; pass the state dict (e.g. from loadPthStateDict).`);
}

function kernelSide(kv: number, key: string): number {
  const ks = Math.round(Math.sqrt(kv));
  if (ks * ks !== kv) {
    throw new CheckpointConversionError(
      `Checkpoint entry '${key}': a Minkowski kernel has ${kv} kernel positions, which is not a square (2-D kernels have k² positions); is this a 2-D (D=2) sparse encoder?`,
    );
  }
  return ks;
}

/**
 * A Minkowski convolution kernel as a dense PyTorch weight. Standard `K[kv, in, out]` →
 * `W[o, i, h, w] = K[w·ks + h, i, o]`; depthwise `K[kv, C]` → `W[c, 0, h, w] = K[w·ks + h, c]`
 * (MMEarth `helpers.py::remap_checkpoint_keys`; note the h/w transpose).
 */
export function minkowskiKernelToTorch(kernel: tf.Tensor, key = 'kernel'): tf.Tensor {
  return tf.tidy(() => {
    if (kernel.rank === 3) {
      const [kv, cin, cout] = kernel.shape as [number, number, number];
      const ks = kernelSide(kv, key);
      return kernel.transpose([2, 1, 0]).reshape([cout, cin, ks, ks]).transpose([0, 1, 3, 2]);
    }
    if (kernel.rank === 2) {
      const [kv, c] = kernel.shape as [number, number];
      const ks = kernelSide(kv, key);
      return kernel.transpose([1, 0]).reshape([c, 1, ks, ks]).transpose([0, 1, 3, 2]);
    }
    throw new CheckpointConversionError(
      `Checkpoint entry '${key}' has shape [${kernel.shape.join(', ')}]; a Minkowski kernel is [kv, in, out] (convolution) or [kv, C] (depthwise).`,
    );
  });
}

/** Convert one tensor and rewrite its name parts in place (`kernel` → `weight`, no `ln`/`linear` level). */
function convertValue(value: tf.Tensor, parts: string[], key: string): tf.Tensor {
  if (parts[parts.length - 1] === 'kernel') {
    parts[parts.length - 1] = 'weight';
    return minkowskiKernelToTorch(value, key);
  }
  if (parts.length >= 2 && (parts[parts.length - 2] === 'ln' || parts[parts.length - 2] === 'linear')) parts.splice(parts.length - 2, 1);
  const leaf = parts[parts.length - 1];
  if (parts.includes('grn') && (leaf === 'gamma' || leaf === 'beta')) return value.reshape([1, 1, 1, value.size]);
  if (leaf === 'bias' && value.rank !== 1) return value.reshape([value.size]);
  return value.clone();
}

function renameUpstreamStem(key: string): string {
  const m = /^downsample_layers\.(\d+)\.(.*)$/.exec(key);
  if (!m) return key;
  const i = Number(m[1]);
  return i === 0 ? `stem_orig.${m[2]}` : `downsample_layers.${i - 1}.${m[2]}`;
}

/**
 * Convert an MMEarth FCMAE checkpoint (sparse MinkowskiEngine encoder, as saved by
 * `main_pretrain.py`) to the dense ConvNeXt V2 state dict, following MMEarth's
 * `remap_checkpoint_keys` and the deletions of its fine-tuning script:
 * - keys containing `decoder`, `mask_token`, `proj` or `pred` are dropped;
 * - the `encoder.` prefix is stripped;
 * - `*.kernel` becomes `*.weight`, with the Minkowski layout converted
 *   ({@link minkowskiKernelToTorch});
 * - the `ln` / `linear` wrapper level is removed from names (`stem.1.ln.weight` → `stem.1.weight`,
 *   `pwconv1.linear.bias` → `pwconv1.bias`);
 * - GRN `gamma`/`beta` become `[1, 1, 1, C]`; biases stored 2-D (`[1, C]`) are flattened.
 * Dense checkpoints (already `*.weight`) pass through with the same renaming. The final `norm`
 * and `head` are never in a pretraining checkpoint: a classifier initialises them fresh, as
 * MMEarth does. Input tensors are not disposed.
 */
export function convertMMEarthCheckpoint(
  stateDict: Readonly<Record<string, AnyTensor>>,
  options: ConvertMMEarthCheckpointOptions = {},
): ConvertedCheckpoint {
  const keys = Object.keys(stateDict);
  const dropped: string[] = [];
  const hasEncoder = keys.some((k) => k.startsWith('encoder.'));
  const encoderOnly = options.encoderOnly ?? true;
  const out: Record<string, tf.Tensor> = {};
  const sources = new Map<string, string>();
  try {
    for (const key of keys) {
      if (DELETED.some((word) => key.includes(word)) || (encoderOnly && hasEncoder && !key.startsWith('encoder.'))) {
        dropped.push(key);
        continue;
      }
      const input = stateDict[key] as AnyTensor;
      const value = toTensor(input, key);
      const parts = (key.startsWith('encoder.') ? key.slice('encoder.'.length) : key).split('.');
      let converted: tf.Tensor;
      try {
        converted = convertValue(value, parts, key);
      } finally {
        if (value !== input) value.dispose();
      }
      let name = parts.join('.');
      if (options.upstreamStem) name = renameUpstreamStem(name);
      const previous = sources.get(name);
      if (previous !== undefined) {
        converted.dispose();
        throw new CheckpointConversionError(`Checkpoint entries '${previous}' and '${key}' both convert to '${name}'; the checkpoint mixes formats.`);
      }
      sources.set(name, key);
      out[name] = converted;
    }
  } catch (error) {
    for (const t of Object.values(out)) t.dispose();
    throw error;
  }
  return { stateDict: out, dropped };
}

/**
 * The dense state dict of an MMEarth sparse FCMAE checkpoint (see {@link convertMMEarthCheckpoint});
 * load it with `model.loadTorchStateDict(dict)` into an encoder built with `numClasses: 0`, or with
 * `{ strict: false }` into a classifier (whose `norm` and `head` stay freshly initialised).
 */
export function convertMMEarthSparseCheckpoint(
  stateDict: Readonly<Record<string, AnyTensor>>,
  options: ConvertMMEarthCheckpointOptions = {},
): Record<string, tf.Tensor> {
  return convertMMEarthCheckpoint(stateDict, options).stateDict;
}
