import * as tf from '@tensorflow/tfjs';
import { disposeMask } from '@terramae/masking';
import type { PretrainingModel } from '@terramae/pretext';
import { buildModelFromRecipe } from '@terramae/recipes';
import { leanVariableGrads, Rng, type Batch, type ModalitySpec } from '@terramae/tensors';
import { AdamW, buildParamGroups } from '@terramae/trainer';
import type { Workload } from './workloads';

/** A model, its optimiser and a function that runs one full training step on a batch. */
export interface TrainStep {
  readonly model: PretrainingModel;
  readonly optimizer: AdamW;
  /** Number of trainable scalars. */
  readonly parameters: number;
  /**
   * One step exactly as `pretrain` runs it: sample the mask, forward with every loss, backward
   * (`leanVariableGrads`), AdamW update; then read the loss (the step's only readback).
   * Returns the total loss.
   */
  run(batch: Batch): Promise<number>;
  /** The synchronous part of {@link TrainStep.run}: everything but the readback; returns the loss tensor (caller disposes). */
  compute(batch: Batch): tf.Scalar;
  /** Dispose the model and the optimiser state. */
  dispose(): void;
}

/**
 * Build the workload's model and AdamW (the recipe's betas, weight decay and no-decay rule) and
 * return a step function mirroring the trainer's pretraining loop (without logging or checkpoints).
 */
export function createTrainStep(workload: Workload, specs: Readonly<Record<string, ModalitySpec>>, seed = 0): TrainStep {
  const recipe = workload.recipe;
  const model = buildModelFromRecipe(recipe, { specs, rng: new Rng(seed) });
  const opt = recipe.optimizer;
  const optimizer = new AdamW(buildParamGroups(model.trainableVariables(), { weightDecay: opt.weightDecay, noDecay: opt.noDecay }), {
    lr: 1e-4,
    betas: [opt.betas[0], opt.betas[1]],
  });
  const params = model.namedParameters().filter((p) => p.trainable);
  const byVariableName = new Map(params.map((p) => [p.variable.name, p.name]));
  const variables = params.map((p) => p.variable);
  const rng = new Rng(seed + 1);
  return {
    model,
    optimizer,
    parameters: params.reduce((s, p) => s + p.variable.size, 0),
    compute(batch: Batch): tf.Scalar {
      const mask = model.sampleMask(batch, rng);
      try {
        return tf.tidy(() => {
          const { value, grads } = leanVariableGrads(() => model.computeLoss(batch, mask).total, variables);
          const named = new Map<string, tf.Tensor>();
          for (const [varName, g] of Object.entries(grads)) {
            const name = byVariableName.get(varName);
            if (name) named.set(name, g);
          }
          optimizer.applyGradients(named);
          return value;
        });
      } finally {
        disposeMask(mask);
      }
    },
    async run(batch: Batch): Promise<number> {
      const total = this.compute(batch);
      const v = (await total.data())[0] as number;
      total.dispose();
      return v;
    },
    dispose() {
      optimizer.dispose?.();
      model.dispose();
    },
  };
}
