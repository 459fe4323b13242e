import type * as tf from '@tensorflow/tfjs';
import type { MaskSample } from '@terramae/masking';
import type { PretrainingModel } from '@terramae/pretext';
import type { Batch } from '@terramae/tensors';
import { reconstructionRows, writeReconstructionGrid, type ReconstructedModality } from '@terramae/trainer';

/**
 * The pixel-level predictions of a model for one batch and mask, paired with their targets: every
 * task whose `predict` gives a map (`[N, H, W, C]` values or `[N, H, W]` class indices) of a
 * modality the batch holds. The caller disposes the returned tensors (`prediction`; targets are
 * the batch's own).
 */
export function pixelPredictions(model: PretrainingModel, batch: Batch, mask: MaskSample): ReconstructedModality[] {
  const predictions = model.predict(batch, mask);
  const out: ReconstructedModality[] = [];
  for (const task of model.tasks) {
    const prediction = predictions[task.id];
    if (!prediction) continue;
    const [modality] = task.definition.predicts(task.config, { inputModality: model.inputModality });
    const target = modality ? batch.modalities[modality] : undefined;
    const spec = modality ? batch.specs[modality] : undefined;
    const pixel = prediction.rank === 4 || (prediction.rank === 3 && spec?.kind === 'categorical');
    if (!pixel || !target || !spec || target.shape[0] !== prediction.shape[0]) {
      prediction.dispose();
      continue;
    }
    out.push({ name: task.id, prediction, target, kind: spec.kind, spec });
  }
  return out;
}

/**
 * Write a reconstruction picture of a batch: per sample the input in true colour, the masked
 * input, and prediction/target pairs of every task that predicts a map (MMEarth pixel tasks,
 * MAE). Returns false (and writes nothing) when no task does.
 */
export async function writeReconstructionPicture(path: string, model: PretrainingModel, batch: Batch, mask: MaskSample, samples = 4): Promise<boolean> {
  const wasTraining = model.training;
  model.train(false);
  let modalities: ReconstructedModality[];
  try {
    modalities = pixelPredictions(model, batch, mask);
  } finally {
    model.train(wasTraining);
  }
  try {
    if (modalities.length === 0) return false;
    const input = batch.modalities[model.inputModality] as tf.Tensor;
    const rows = await reconstructionRows({
      input,
      inputBands: batch.specs[model.inputModality]?.bands ?? [],
      mask: mask.mask,
      grid: model.grid,
      modalities,
      samples,
    });
    await writeReconstructionGrid(path, rows);
    return true;
  } finally {
    for (const m of modalities) (m.prediction as tf.Tensor).dispose();
  }
}
