import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { useBackend } from '@terramae/testing';
import { depthwiseConv2d } from '@terramae/tensors';

function altGrad(xs: tf.Tensor4D, dy: tf.Tensor4D, k: number) {
  // dW[i,j,c] = Σ_{n,h,w} xp[n,h+i,w+j,c]·dy[n,h,w,c] as one depthwise conv over (n,c) channels.
  return tf.tidy(() => {
    const [n, h, w, c] = xs.shape;
    const q = (k - 1) / 2;
    const xp = tf.pad(xs, [[0, 0], [q, q], [q, q], [0, 0]]);
    const xin = xp.transpose([1, 2, 0, 3]).reshape([1, h + 2 * q, w + 2 * q, n * c]) as tf.Tensor4D;
    const filt = dy.transpose([1, 2, 0, 3]).reshape([h, w, n * c, 1]) as tf.Tensor4D;
    return tf.depthwiseConv2d(xin, filt, 1, 'valid').reshape([k, k, n, c]).sum(2);
  });
}

it('dw grad timing', async () => {
  for (const be of ['cpu', 'wasm']) {
    await useBackend(be);
    const x = tf.randomNormal([8, 56, 56, 40]) as tf.Tensor4D;
    const w = tf.variable(tf.randomNormal([7, 7, 40, 1]));
    const dy = tf.randomNormal([8, 56, 56, 40]) as tf.Tensor4D;
    for (let rep = 0; rep < 2; rep++) {
      let t0 = performance.now();
      const g = tf.variableGrads(() => depthwiseConv2d(x, w as unknown as tf.Tensor4D).mul(dy).sum() as tf.Scalar, [w]);
      await g.grads[w.name]!.data();
      const tCur = performance.now() - t0;
      t0 = performance.now();
      const a = altGrad(x, dy, 7);
      await a.data();
      const tAlt = performance.now() - t0;
      let tNative = NaN;
      if (be === 'cpu') {
        t0 = performance.now();
        const g2 = tf.variableGrads(() => tf.depthwiseConv2d(x, w as unknown as tf.Tensor4D, 1, 'same').mul(dy).sum() as tf.Scalar, [w]);
        await g2.grads[w.name]!.data();
        tNative = performance.now() - t0;
      }
      const diff = tf.tidy(() => g.grads[w.name]!.reshape([7, 7, 40]).sub(a).abs().max().dataSync()[0]);
      console.log(be, 'current(full grad incl dx)', tCur.toFixed(0), 'alt filter-grad', tAlt.toFixed(0), 'native', tNative.toFixed(0), 'maxdiff', diff);
    }
  }
});
