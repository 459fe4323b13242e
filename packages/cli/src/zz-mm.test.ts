import { it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@terramae/tensors';
it('mm', async () => {
  await initBackend({ backend: 'wasm' });
  const a = tf.randomNormal([6272, 320]); const b = tf.randomNormal([6272, 80]);
  for (let r = 0; r < 3; r++) {
    let c0 = process.cpuUsage(); let y = tf.matMul(a, b, true, false); await y.data(); y.dispose(); let c1 = process.cpuUsage(c0);
    console.log('transposeA', ((c1.user) / 1e3).toFixed(0), 'ms');
    c0 = process.cpuUsage(); y = tf.tidy(() => tf.matMul(a.transpose(), b)); await y.data(); y.dispose(); c1 = process.cpuUsage(c0);
    console.log('explicit transpose', ((c1.user) / 1e3).toFixed(0), 'ms');
    const at = a.transpose(); await at.data();
    c0 = process.cpuUsage(); y = tf.matMul(at, b); await y.data(); y.dispose(); c1 = process.cpuUsage(c0); at.dispose();
    console.log('pre-transposed', ((c1.user) / 1e3).toFixed(0), 'ms');
    c0 = process.cpuUsage(); y = tf.matMul(b, a, false, false); 
    c1 = process.cpuUsage(c0);
  }
});
