import * as tf from '@tensorflow/tfjs';
import { defineCustomGrad } from './custom-grad';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

// One op on the tape that saves only its input: differentiating the composite would save five
// tensors of the input's size (the products, the sum and erf's input) until backward reaches it.
const geluOp = defineCustomGrad<[tf.Tensor], tf.Tensor>((x, save) => {
  save([x]);
  return {
    value: x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5),
    // d/dx x·Φ(x) = Φ(x) + x·φ(x), with φ the standard normal density.
    gradFunc: (dy, [saved]) => {
      const input = saved as tf.Tensor;
      const cdf = tf.erf(input.mul(Math.SQRT1_2)).add(1).mul(0.5);
      const pdf = input.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
      return dy.mul(cdf.add(input.mul(pdf)));
    },
  };
});

/**
 * GELU with the exact erf form, `0.5·x·(1 + erf(x/√2))` (PyTorch `nn.GELU()` default), as one op
 * with an analytic gradient that keeps only `x` for the backward pass.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  return geluOp(x);
}
