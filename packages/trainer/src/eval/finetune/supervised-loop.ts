import * as tf from '@tensorflow/tfjs';
import { disposeBatch, leanVariableGrads, type Batch } from '@terramae/tensors';
import type { AdamW } from '../../optim/adamw';
import type { LrSchedule } from '../../optim/lr-schedule';
import { EvaluationError } from '../errors';

/** A source of training batches: called once per epoch with the epoch index. */
export type EpochBatches = (epoch: number) => Iterable<Batch> | AsyncIterable<Batch>;

/** One epoch of a supervised run. */
export interface SupervisedEpochRecord {
  readonly epoch: number;
  /** Mean training loss over the epoch's steps. */
  readonly loss: number;
  /** Learning rate of the epoch's last step. */
  readonly lr: number;
  readonly steps: number;
  readonly seconds: number;
}

/** Options of {@link runSupervisedEpochs}. */
export interface SupervisedLoopOptions {
  readonly where: string;
  readonly epochs: number;
  readonly train: EpochBatches;
  readonly optimizer: AdamW;
  /** Learning rate per optimiser step (iteration counted from 0 over all epochs). */
  readonly schedule: LrSchedule;
  /** Variables to differentiate in this epoch, by parameter name (the optimiser skips the rest). */
  readonly variables: (epoch: number) => ReadonlyMap<string, tf.Variable>;
  /** The loss of one batch; called inside the gradient tape and `tf.tidy`. */
  readonly loss: (batch: Batch) => tf.Scalar;
  readonly onEpoch?: (record: SupervisedEpochRecord) => void | Promise<void>;
  readonly signal?: AbortSignal;
}

/**
 * The supervised training loop behind fine-tuning and the segmentation probe: per step, gradients
 * of `loss` over the epoch's variables inside one `tf.tidy`, an AdamW step at the scheduled
 * learning rate, the batch released; losses are read asynchronously after the step. A non-finite
 * loss stops with an error naming the epoch and step.
 */
export async function runSupervisedEpochs(options: SupervisedLoopOptions): Promise<SupervisedEpochRecord[]> {
  const history: SupervisedEpochRecord[] = [];
  let iteration = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    if (options.signal?.aborted) break;
    const started = performance.now();
    const named = options.variables(epoch);
    const byVariable = new Map([...named].map(([name, v]) => [v.name, name]));
    const varList = [...named.values()];
    let sum = 0;
    let steps = 0;
    let lr = 0;
    for await (const batch of options.train(epoch)) {
      try {
        lr = options.schedule(iteration);
        options.optimizer.setLearningRate(lr);
        const value = tf.tidy(() => {
          const { value: loss, grads } = leanVariableGrads(() => options.loss(batch), varList);
          const byName: Record<string, tf.Tensor> = {};
          for (const [vn, g] of Object.entries(grads)) {
            const name = byVariable.get(vn);
            if (name) byName[name] = g;
          }
          options.optimizer.applyGradients(byName);
          return loss;
        });
        const v = (await value.data())[0] as number;
        value.dispose();
        if (!Number.isFinite(v)) {
          throw new EvaluationError(`${options.where}: the loss is ${v} at epoch ${epoch}, step ${steps} (batch samples ${batch.indices.slice(0, 8).join(', ')}${batch.indices.length > 8 ? ', …' : ''}); check those inputs for NaN/inf or lower the learning rate.`);
        }
        sum += v;
        steps++;
        iteration++;
      } finally {
        disposeBatch(batch);
      }
      if (options.signal?.aborted) break;
    }
    if (steps === 0) throw new EvaluationError(`${options.where}: epoch ${epoch} produced no batches; the train source must yield batches every epoch.`);
    const record = { epoch, loss: sum / steps, lr, steps, seconds: (performance.now() - started) / 1000 };
    history.push(record);
    await options.onEpoch?.(record);
  }
  return history;
}
