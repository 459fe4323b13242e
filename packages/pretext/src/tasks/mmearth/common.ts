import * as tf from '@tensorflow/tfjs';
import type { ModalitySpec } from '@terramae/tensors';
import { FCMAE_DECODER_DEFAULTS, resolveFcmaeDecoderConfig, type FcmaeDecoderConfig } from '../../decoders/fcmae-decoder';
import type { TaskStepContext } from '../../api/task';
import { MMEarthTaskError } from './errors';

/** Fields every MMEarth task config has. */
export interface MMEarthTaskConfigBase {
  /** The modality the task predicts; `''` means the encoder's input modality. */
  readonly modality: string;
  /** The FCMAE decoder settings (shared by every task by default, as MMEarth); missing fields take the defaults. */
  readonly decoder: Partial<FcmaeDecoderConfig>;
}

/** The default decoder settings of the MMEarth tasks. */
export const MMEARTH_DECODER_DEFAULTS: FcmaeDecoderConfig = FCMAE_DECODER_DEFAULTS;

/** The predicted modality of a config (`''` → the input modality). */
export function targetModality(config: { readonly modality: string }, inputModality: string): string {
  return config.modality === '' ? inputModality : config.modality;
}

/** Check a spec has the level and kind a task needs; returns problems (what to change). */
export function specProblems(task: string, modality: string, spec: ModalitySpec | undefined, level: 'pixel' | 'image', kind: 'continuous' | 'categorical'): string[] {
  if (!spec) return []; // missing modalities are reported by validateTasks
  const problems: string[] = [];
  if (spec.level !== level || spec.kind !== kind) {
    problems.push(`${task} predicts '${modality}', which must be a ${kind} ${level}-level modality but is ${spec.kind} ${spec.level}-level; use the ${spec.kind === 'categorical' ? (spec.level === 'pixel' ? 'pixel-classification' : 'image-classification') : spec.level === 'pixel' ? 'pixel-reconstruction' : 'image-regression'} task for it`);
  }
  if (kind === 'categorical' && !(Number.isInteger(spec.numClasses) && (spec.numClasses as number) > 1)) {
    problems.push(`${task} needs numClasses in the spec of '${modality}' (got ${String(spec.numClasses)}); set it in the modality spec`);
  }
  return problems;
}

/** The batch tensor of a modality, with a typed error naming the task when absent. */
export function batchTarget(step: TaskStepContext, task: string, modality: string): tf.Tensor {
  const t = step.batch.modalities[modality];
  if (!t) throw new MMEarthTaskError(`${task}: the batch has no '${modality}' (it has ${Object.keys(step.batch.modalities).join(', ')}); add the modality to the dataset or remove the task`);
  return t;
}

/** Check a pixel target is at the encoder input's size. */
export function checkPixelTarget(task: string, modality: string, target: tf.Tensor, input: tf.Tensor4D): void {
  const [n, h, w] = input.shape;
  if (target.shape[0] !== n || target.shape[1] !== h || target.shape[2] !== w) {
    throw new MMEarthTaskError(`${task}: '${modality}' is [${target.shape.join(', ')}] but the encoder input is [${input.shape.join(', ')}]; pixel targets must be cropped with the input (same N, H, W)`);
  }
}

/** Input pixels per mask-grid cell (the `p` of the pixel heads). */
export function patchSizeOf(step: TaskStepContext): number {
  return step.input.shape[1] / step.mask.grid[0];
}

/** Problems with a task's decoder settings (empty when they resolve). */
export function decoderProblems(task: string, decoder: Partial<FcmaeDecoderConfig> | undefined): string[] {
  try {
    resolveFcmaeDecoderConfig(decoder);
    return [];
  } catch (e) {
    return [`${task}: ${(e as Error).message}`];
  }
}

/**
 * An image-level target per encoded image: `[B, …]` values of a multi-view batch are repeated for
 * each view (view-major, as the pixel tensors); `[B·V, …]` is used as it is.
 */
export function perImage(step: TaskStepContext, target: tf.Tensor): tf.Tensor {
  const n = step.input.shape[0];
  const { size } = step.batch;
  const views = n / size;
  if (views > 1 && target.shape[0] === size) {
    const ids = Int32Array.from({ length: n }, (_, i) => Math.floor(i / views));
    return tf.tidy(() => tf.gather(target, tf.tensor1d(ids, 'int32')));
  }
  return target;
}
