/**
 * Side-effect module: registers the built-in pretext tasks and loss aggregators. Imported by the
 * package index, and listed in package.json `sideEffects`. Append new registrations below.
 */
import { registerLossAggregator, registerPretextTask } from './api/registry';
import { sumAggregator } from './aggregators/sum';
import { uncertaintyAggregator } from './aggregators/uncertainty';
import { weightedAggregator } from './aggregators/weighted';
import { imageClassificationTask } from './tasks/mmearth/image-classification';
import { imageRegressionTask } from './tasks/mmearth/image-regression';
import { pixelClassificationTask } from './tasks/mmearth/pixel-classification';
import { pixelReconstructionTask } from './tasks/mmearth/pixel-reconstruction';

const REGISTERED = Symbol.for('terramae.pretext.builtins.registered');
const g = globalThis as unknown as Record<symbol, boolean | undefined>;
if (!g[REGISTERED]) {
  g[REGISTERED] = true;
  registerLossAggregator(sumAggregator);
  registerLossAggregator(weightedAggregator);
  registerLossAggregator(uncertaintyAggregator);
  registerPretextTask(pixelReconstructionTask);
  registerPretextTask(pixelClassificationTask);
  registerPretextTask(imageClassificationTask);
  registerPretextTask(imageRegressionTask);
}

// MAE and NeighborMAE reconstruction (decoders in ./decoders, tasks in ./tasks/mae and ./tasks/neighbor).
import { maeReconstructionTask } from './tasks/mae/mae-task';
import { neighborReconstructionTask } from './tasks/neighbor/neighbor-task';

const REGISTERED_MAE = Symbol.for('terramae.pretext.builtins.mae.registered');
if (!g[REGISTERED_MAE]) {
  g[REGISTERED_MAE] = true;
  registerPretextTask(maeReconstructionTask);
  registerPretextTask(neighborReconstructionTask);
}
