import * as tf from '@tensorflow/tfjs';

/** The forward of a custom-gradient op: its value and a function from `dy` (and saved tensors) to input gradients. */
export type CustomForward<I extends tf.Tensor[], O extends tf.Tensor> = (
  ...args: [...I, tf.GradSaveFunc]
) => { value: O; gradFunc: (dy: O, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

/**
 * A typed wrapper over `tf.customGrad` (whose declared signature mixes tensors and the save
 * function in one rest parameter).
 */
export function defineCustomGrad<I extends tf.Tensor[], O extends tf.Tensor>(forward: CustomForward<I, O>): (...inputs: I) => O {
  // tfjs calls a custom gradient function outside any tidy scope (unlike stock gradients), so its
  // intermediates would live until the whole backward pass ends (gigabytes for a ConvNeXt step):
  // run it in its own tidy, which keeps only the returned gradients.
  const tidied = (...args: [...I, tf.GradSaveFunc]) => {
    const { value, gradFunc } = forward(...args);
    return { value, gradFunc: (dy: O, saved: tf.Tensor[]) => tf.tidy(() => gradFunc(dy, saved)) };
  };
  const op = tf.customGrad(tidied as unknown as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: I) => op(...inputs) as O;
}
