import * as tf from '@tensorflow/tfjs';
import type { MaskSample } from '@terramae/masking';
import { PixelHead, StepMemo, decodeStep, type PretrainingModel, type TaskStepContext } from '@terramae/pretext';
import { modalityChannels, patchify, unpatchify, type Batch, type ModalitySpec } from '@terramae/tensors';
import { reconstructionRows, writeReconstructionGrid, type ReconstructedModality } from '@terramae/trainer';

/** Pixel-level predictions of a model for one batch and mask (the caller disposes the tensors). */
export interface PixelPredictions {
  /** The encoder input `[N, H, W, C]`. */
  readonly input: tf.Tensor4D;
  /** One entry per pixel-level task with an FCMAE pixel head, in task order. */
  readonly modalities: readonly (ReconstructedModality & { readonly prediction: tf.Tensor; readonly target: tf.Tensor })[];
}

/**
 * The pixel-level predictions of every MMEarth pixel task of a model (`pixel-reconstruction`,
 * `pixel-classification`: the FCMAE decoder and its 1×1 head, unpatchified to `[N, H, W, C]`;
 * categorical tasks give class scores). Per-patch normalised predictions (`normPix`) are mapped
 * back with the target patch's mean and standard deviation, as MAE's visualisation does. Tasks
 * with other heads are left out.
 */
export function pixelPredictions(model: PretrainingModel, batch: Batch, mask: MaskSample): PixelPredictions {
  const p = model.patchSize;
  const drawn: { task: (typeof model.tasks)[number]; head: PixelHead; name: string; spec: ModalitySpec; target: tf.Tensor }[] = [];
  for (const task of model.tasks) {
    const head = model.heads.get(task.id);
    if (!(head instanceof PixelHead)) continue;
    const name = (task.config as { modality?: string }).modality || model.inputModality;
    const spec = batch.specs[name];
    const target = batch.modalities[name];
    if (spec && target) drawn.push({ task, head, name, spec, target });
  }
  const memo = new StepMemo();
  let tensors: tf.Tensor[];
  try {
    tensors = tf.tidy(() => {
      const input = model.inputOf(batch);
      const encoded = model.encode(input, batch, mask);
      const step: TaskStepContext = {
        batch,
        inputModality: model.inputModality,
        encoded,
        mask,
        input,
        training: false,
        memo: (key, compute) => memo.get(key, compute),
      };
      const out: tf.Tensor[] = [input];
      for (const { task, head, spec, target } of drawn) {
        const config = task.config as { normPix?: boolean; eps?: number };
        const channels = spec.kind === 'categorical' ? head.outChannels / (p * p) : modalityChannels(spec);
        let patches = head.forward(decodeStep(step, head.decoder, head.sharedDecoder));
        if (config.normPix && spec.kind === 'continuous') {
          const t = patchify(tf.where(tf.isFinite(target), target, tf.zerosLike(target)) as tf.Tensor4D, p);
          const { mean, variance } = tf.moments(t, -1, true);
          const d = t.shape[2];
          const unbiased = variance.mul(d / Math.max(1, d - 1));
          patches = patches.mul(unbiased.add(config.eps ?? 1e-6).sqrt()).add(mean) as tf.Tensor3D;
        }
        out.push(unpatchify(patches, p, model.grid, channels), target.clone());
      }
      return out;
    });
  } finally {
    memo.clear();
  }
  return {
    input: tensors[0] as tf.Tensor4D,
    modalities: drawn.map((d, i) => ({
      name: d.task.id,
      prediction: tensors[1 + 2 * i] as tf.Tensor,
      target: tensors[2 + 2 * i] as tf.Tensor,
      kind: d.spec.kind,
      spec: d.spec,
    })),
  };
}

/**
 * Write a reconstruction picture of a batch: per sample the input in true colour, the masked
 * input, and prediction/target pairs of every MMEarth pixel task. Returns false (and writes
 * nothing) when the model has no such task.
 */
export async function writeReconstructionPicture(path: string, model: PretrainingModel, batch: Batch, mask: MaskSample, samples = 4): Promise<boolean> {
  const wasTraining = model.training;
  model.train(false);
  let predictions: PixelPredictions;
  try {
    predictions = pixelPredictions(model, batch, mask);
  } finally {
    model.train(wasTraining);
  }
  const tensors = [predictions.input, ...predictions.modalities.flatMap((m) => [m.prediction, m.target])];
  try {
    if (predictions.modalities.length === 0) return false;
    const inputBands = batch.specs[model.inputModality]?.bands ?? [];
    const rows = await reconstructionRows({
      input: predictions.input,
      inputBands,
      mask: mask.mask,
      grid: model.grid,
      modalities: predictions.modalities,
      samples,
    });
    await writeReconstructionGrid(path, rows);
    return true;
  } finally {
    for (const t of tensors) t.dispose();
  }
}
