import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { FixtureReader } from './src/fixture';
import { compareTensor } from './src/compare';
import { caseConstructor, loadManifest } from './src/manifest';
import { convnextv2DenseHandler } from './src/kinds/convnextv2_dense';
import { convnextv2BlockHandler } from './src/kinds/convnextv2_block';
const dir = '/work/shared/fixtures/parity';
const m = loadManifest(dir);
for (const be of (process.env.BE ?? 'cpu,wasm').split(',')) {
  await tf.setBackend(be); await tf.ready();
  for (const c of m.cases.filter((c) => c.kind.startsWith('convnextv2'))) {
    const fixture = FixtureReader.open(`${dir}/${c.file}`);
    const expected = fixture.names().filter((n) => n.startsWith('output/') || n.startsWith('grad/'));
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const h = c.kind === 'convnextv2_dense' ? convnextv2DenseHandler : convnextv2BlockHandler;
    const out = h({ case: c, settings: caseConstructor(c), dir, backend: be, fixture, expected }) as Map<string, tf.Tensor>;
    let worst = { name: '', rel: 0, mar: 0 }; let fails = 0;
    for (const name of expected) {
      const v = out.get(name);
      if (!v) { console.log('missing', name); fails++; continue; }
      const r = compareTensor(name, fixture.reference(name), { shape: v.shape, data: v.dataSync() }, { tolerance: c.tolerance[name.startsWith('grad/') ? 'grads' : 'forward'] });
      if (!r.pass) { fails++; console.log('FAIL', name, r.reason); }
      if (r.relL2 > worst.rel) worst = { name, rel: r.relL2, mar: r.maxAbsRel };
      v.dispose();
    }
    console.log(be, c.name, expected.length, 'tensors', fails, 'fail; worst', worst, 'ms', (performance.now() - t0).toFixed(0), 'leak', tf.memory().numTensors - before);
    fixture.close();
  }
}
