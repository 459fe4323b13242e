import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, it } from 'vitest';
import { useBackend } from '@terramae/testing';
import { ConvNeXtV2 } from '../src/convnextv2/convnextv2';
import { ConvNeXtV2Block } from '../src/convnextv2/block';

function load(path: string): Record<string, tf.Tensor> {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const out: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries<any>(header)) {
    if (k === '__metadata__') continue;
    const [b, e] = v.data_offsets;
    const bytes = buf.subarray(8 + n + b, 8 + n + e);
    const copy = new Uint8Array(bytes).buffer;
    if (v.dtype === 'F32') out[k] = tf.tensor(new Float32Array(copy), v.shape);
  }
  return out;
}
function cmp(name: string, y: tf.Tensor, r: tf.Tensor) {
  const yd = y.dataSync(), rd = r.dataSync();
  let ma = 0, mr = 0, d2 = 0, r2 = 0;
  for (let i = 0; i < rd.length; i++) { const d = Math.abs(yd[i]! - rd[i]!); ma = Math.max(ma, d); mr = Math.max(mr, Math.abs(rd[i]!)); d2 += d * d; r2 += rd[i]! * rd[i]!; }
  console.log(name, 'maxAbsRel', (ma / mr).toExponential(2), 'relL2', Math.sqrt(d2 / r2).toExponential(2), y.shape.join('x'), r.shape.join('x'));
}
const nchw = (t: tf.Tensor) => t.transpose([0, 3, 1, 2]);

describe('scratch', () => {
  for (const be of ['cpu', 'wasm']) it('block ' + be, async () => {
    await useBackend(be);
    const t = load('/work/shared/fixtures/parity/convnextv2_block.safetensors');
    const params: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(t)) if (k.startsWith('param/')) params[k.slice(6)] = v;
    const b = new ConvNeXtV2Block({ dim: 40 });
    b.loadTorchStateDict(params);
    const x = tf.variable(t['input/x']!.transpose([0, 2, 3, 1]) as tf.Tensor4D);
    const y = b.forward(x as unknown as tf.Tensor4D, { grnEps: 1e-4 });
    cmp('y', nchw(y), t['output/y']!);
    const vars = [...b.trainableVariables().entries()];
    const lw = t['input/loss_weights']!.transpose([0, 2, 3, 1]);
    const { grads } = tf.variableGrads(() => b.forward(x as unknown as tf.Tensor4D, { grnEps: 1e-4 }).mul(lw).sum() as tf.Scalar, [x, ...vars.map((v) => v[1])]);
    const { toTorchLayout } = await import('@terramae/tensors');
    for (const p of b.namedParameters()) cmp('grad ' + p.name, toTorchLayout(grads[p.variable.name]!, p.torchLayout), t['grad/' + p.name]!);
    cmp('grad x', nchw(grads[x.name]!), t['grad/input/x']!);
  });

  for (const be of [] as string[]) it('dense ' + be, async () => {
    await useBackend(be);
    const t = load('/work/shared/fixtures/parity/convnextv2_dense.safetensors');
    const params: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(t)) if (k.startsWith('param/')) params[k.slice(6)] = v;
    const m = new ConvNeXtV2({ depths: [2, 2, 6, 2], dims: [8, 16, 32, 64], numClasses: 10, patchSize: 8, inChannels: 12, padding: 'finetune' });
    m.loadTorchStateDict(params);
    m.eval();
    const x = tf.variable(t['input/x']!.transpose([0, 2, 3, 1]) as tf.Tensor4D);
    const o = m.forwardDetailed(x as unknown as tf.Tensor4D);
    cmp('logits', o.logits!, t['output/logits']!);
    cmp('features', o.features, t['output/features']!);
    cmp('pooled', o.pooled, t['output/pooled']!);
    cmp('initial_conv', nchw(o.initialConv!), t['output/initial_conv']!);
    cmp('stem', nchw(o.stem), t['output/stem']!);
    cmp('stage3', nchw(o.stages[3]!), t['output/stage3']!);
    const vars = [...m.trainableVariables().entries()];
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => m.classify(x as unknown as tf.Tensor4D).mul(t['input/loss_weights']!).sum() as tf.Scalar, [x, ...vars.map((v) => v[1])]);
    console.log('grad ms', performance.now() - t0);
    cmp('loss', value, t['output/loss']!);
    const sd = m.namedParameters();
    let worst = 0; let worstName = '';
    for (const p of sd) {
      const g = grads[p.variable.name]!;
      const r = t['grad/' + p.name]!;
      const { toTorchLayout } = await import('@terramae/tensors');
      const gt = toTorchLayout(g, p.torchLayout);
      const gd = gt.dataSync(), rd = r.dataSync();
      let d2 = 0, r2 = 0; for (let i = 0; i < rd.length; i++) { d2 += (gd[i]! - rd[i]!) ** 2; r2 += rd[i]! ** 2; }
      const rel = Math.sqrt(d2 / r2); if (rel > worst) { worst = rel; worstName = p.name; }
    }
    console.log('worst param grad relL2', worst, worstName);
    cmp('grad x', nchw(grads[x.name]!), t['grad/input/x']!);
  });
});
