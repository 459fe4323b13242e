import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend('wasm'); await tf.ready();
for (const m of [1000, 5000, 20000, 25088]) {
  const a = tf.randomNormal([m, 108]) as tf.Tensor2D;
  const b = tf.randomNormal([m, 40]) as tf.Tensor2D;
  console.log(m, 'start');
  const t0 = performance.now();
  const c = tf.matMul(a, b, true, false);
  c.dataSync();
  console.log(m, performance.now() - t0, tf.memory());
}
