import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { depthwiseConv2d, conv2d } from '/work/main/packages/tensors/src/index';

async function time(label: string, f: () => void, reps = 3) {
  f(); // warm
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); }
  console.log(label, ts.map((t) => t.toFixed(0)).join(' '), 'ms');
}
await tf.setBackend(process.argv[2] ?? 'wasm'); await tf.ready();
const x = tf.randomNormal([8, 56, 56, 40]) as tf.Tensor4D;
const w = tf.randomNormal([7, 7, 40, 1]) as tf.Tensor4D;
const dy = tf.randomNormal([8, 56, 56, 40]);
await time('dw fwd', () => tf.tidy(() => { depthwiseConv2d(x, w).dataSync(); }));
await time('dw fwd+bwd', () => tf.tidy(() => { const g = tf.grads((a, b) => depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D).mul(dy).sum())([x, w]); g[0].dataSync(); g[1].dataSync(); }));
const x2 = tf.randomNormal([8, 56, 56, 12]) as tf.Tensor4D;
const w2 = tf.randomNormal([3, 3, 12, 40]) as tf.Tensor4D;
const dy2 = tf.randomNormal([8, 56, 56, 40]);
await time('conv fwd', () => tf.tidy(() => { conv2d(x2, w2).dataSync(); }));
await time('conv fwd+bwd', () => tf.tidy(() => { const g = tf.grads((a, b) => conv2d(a as tf.Tensor4D, b as tf.Tensor4D).mul(dy2).sum())([x2, w2]); g[0].dataSync(); g[1].dataSync(); }));
await time('native conv fwd', () => tf.tidy(() => { tf.conv2d(x2, w2, 1, 'same').dataSync(); }));
await time('native dw fwd', () => tf.tidy(() => { tf.depthwiseConv2d(x, w, 1, 'same').dataSync(); }));
