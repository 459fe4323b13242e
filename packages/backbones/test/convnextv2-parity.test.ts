// ConvNeXt V2 against the PyTorch reference fixtures (../shared/fixtures/parity): every output and
// gradient of the convnextv2_dense and convnextv2_block cases within the manifest's tolerances, on
// every test backend. Sizes come from each case's constructor and tensor shapes. The same cases
// run in `npm run parity` through tools/parity/src/kinds/convnextv2_{dense,block}.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SafetensorsFile, toTorchLayout, type Module } from '@terramae/tensors';
import { sharedPath, testBackends, useBackend } from '@terramae/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvNeXtV2Block } from '../src/convnextv2/block';
import { ConvNeXtV2 } from '../src/convnextv2/convnextv2';
import { createConvNeXtV2 } from '../src/convnextv2/factories';

interface Case {
  name: string;
  kind: string;
  file: string;
  constructor: Record<string, unknown>;
  tolerance: { forward: { rel_l2: number; max_abs_rel: number }; grads: { rel_l2: number; max_abs_rel: number } };
}

const dir = sharedPath('fixtures', 'parity');
const manifest = dir ? (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cases: Case[]; presets_state_dict_shapes?: Record<string, Record<string, number[]>> }) : undefined;
const cases = manifest?.cases.filter((c) => c.kind === 'convnextv2_dense' || c.kind === 'convnextv2_block') ?? [];

const toNhwc = (t: tf.Tensor) => tf.tidy(() => t.transpose([0, 2, 3, 1]));
const toNchw = (t: tf.Tensor) => tf.tidy(() => t.transpose([0, 3, 1, 2]));

/** rel_l2 and max_abs_rel of `y` against `r` (fixtures README). */
async function errors(y: tf.Tensor, r: tf.Tensor): Promise<{ relL2: number; maxAbsRel: number }> {
  const [a, b] = await Promise.all([y.data(), r.data()]);
  let d2 = 0;
  let r2 = 0;
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    d2 += d * d;
    r2 += (b[i] as number) ** 2;
    maxAbs = Math.max(maxAbs, d);
    maxRef = Math.max(maxRef, Math.abs(b[i] as number));
  }
  return { relL2: Math.sqrt(d2) / Math.sqrt(r2), maxAbsRel: maxAbs / maxRef };
}

/** Model, input variable and the scalar loss of a case; outputs as reference names → NCHW/flat tensors. */
function build(c: Case, ref: Record<string, tf.Tensor>) {
  const params = Object.fromEntries(Object.entries(ref).filter(([k]) => k.startsWith('param/')).map(([k, v]) => [k.slice(6), v]));
  const image = toNhwc(ref['input/x']!);
  const x = tf.variable(image, true);
  image.dispose();
  const channels = x.shape[3] as number;
  if (c.kind === 'convnextv2_block') {
    const block = new ConvNeXtV2Block({ dim: channels });
    block.loadTorchStateDict(params);
    block.eval();
    const weights = toNhwc(ref['input/loss_weights']!);
    const forward = () => {
      const y = block.forward(x as tf.Tensor4D, { grnEps: 1e-4 });
      return { 'output/y': toNchw(y), 'output/loss': y.mul(weights).sum() };
    };
    return { module: block as Module, x, forward, loss: () => forward()['output/loss'] as tf.Scalar, extra: [weights] };
  }
  const k = c.constructor;
  const model = new ConvNeXtV2({
    depths: k['depths'] as number[],
    dims: k['dims'] as number[],
    inChannels: channels,
    patchSize: k['patch_size'] as number,
    stem: k['use_orig_stem'] ? 'original' : 'mmearth',
    padding: 'finetune',
    numClasses: ref['input/loss_weights']!.shape[1] as number,
  });
  model.loadTorchStateDict(params);
  model.eval();
  const weights = ref['input/loss_weights']!;
  const forward = () => {
    const d = model.forwardDetailed(x as tf.Tensor4D);
    const out: Record<string, tf.Tensor> = { 'output/stem': toNchw(d.stem), 'output/pooled': d.pooled, 'output/features': d.features };
    if (d.initialConv) out['output/initial_conv'] = toNchw(d.initialConv);
    d.stages.forEach((s, i) => (out[`output/stage${i}`] = toNchw(s)));
    out['output/logits'] = d.logits!;
    out['output/loss'] = d.logits!.mul(weights).sum();
    return out;
  };
  return { module: model as Module, x, forward, loss: () => model.classify(x as tf.Tensor4D).mul(weights).sum() as tf.Scalar, extra: [] as tf.Tensor[] };
}

describe.skipIf(!dir)('ConvNeXt V2 parity fixtures', () => {
  for (const c of cases) {
    for (const backend of testBackends()) {
      describe(`${c.name} on ${backend}`, () => {
        let ref: Record<string, tf.Tensor> = {};
        beforeAll(async () => {
          await useBackend(backend);
          const file = SafetensorsFile.open(join(dir!, c.file));
          try {
            ref = Object.fromEntries(file.keys().filter((k) => file.info(k).dtype === 'F32').map((k) => [k, file.readTensor(k)]));
          } finally {
            file.close();
          }
        });
        afterAll(() => Object.values(ref).forEach((t) => t.dispose()));

        it('every output and gradient within the manifest tolerance, no leaks', async () => {
          const before = tf.memory().numTensors;
          const { module, x, forward, loss, extra } = build(c, ref);
          const outputs = tf.tidy(forward);
          const { value, grads } = tf.variableGrads(loss, [...module.namedParameters().map((p) => p.variable), x]);
          const computed: Record<string, tf.Tensor> = { ...outputs, 'grad/input/x': toNchw(grads[x.name]!) };
          for (const p of module.namedParameters()) computed[`grad/${p.name}`] = toTorchLayout(grads[p.variable.name]!, p.torchLayout);
          const expected = Object.keys(ref).filter((k) => k.startsWith('output/') || k.startsWith('grad/'));
          const failures: string[] = [];
          for (const name of expected) {
            const y = computed[name];
            if (!y) {
              failures.push(`${name}: not computed`);
              continue;
            }
            expect(y.shape, name).toEqual(ref[name]!.shape);
            const tol = name.startsWith('grad/') ? c.tolerance.grads : c.tolerance.forward;
            const e = await errors(y, ref[name]!);
            if (!(e.relL2 <= tol.rel_l2 && e.maxAbsRel <= tol.max_abs_rel)) failures.push(`${name}: rel_l2 ${e.relL2.toExponential(2)}, max_abs_rel ${e.maxAbsRel.toExponential(2)}`);
          }
          expect(failures).toEqual([]);
          tf.dispose([value, ...Object.values(grads), ...Object.values(computed), x, ...extra]);
          module.dispose();
          expect(tf.memory().numTensors).toBe(before);
        });
      });
    }
  }
});

describe.skipIf(!manifest?.presets_state_dict_shapes)('ConvNeXt V2 state dicts of the reference factories', () => {
  beforeAll(async () => useBackend('cpu'));
  for (const [preset, shapes] of Object.entries(manifest?.presets_state_dict_shapes ?? {})) {
    it(`${preset}: same keys, order and shapes`, () => {
      const m = /^convnextv2_(\w+)\(in_chans=(\d+), num_classes=(\d+), img_size=\d+, patch_size=(\d+)\)$/.exec(preset);
      expect(m, `unrecognised preset ${preset}`).not.toBeNull();
      const model = createConvNeXtV2(m![1] as 'atto', { inChannels: Number(m![2]), numClasses: Number(m![3]), patchSize: Number(m![4]) });
      const ours = model.namedParameters().map((p) => [p.name, p.variable.shape, p.torchLayout] as const);
      const dict = Object.fromEntries(ours.map(([n, s, layout]) => [n, torchShape(s, layout)]));
      expect(Object.keys(dict)).toEqual(Object.keys(shapes));
      expect(dict).toEqual(shapes);
      model.dispose();
    });
  }
});

function torchShape(shape: readonly number[], layout: string): number[] {
  if (layout === 'linear') return [shape[1]!, shape[0]!];
  if (layout === 'conv') return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
  if (layout === 'depthwise') return [shape[2]!, shape[3]!, shape[0]!, shape[1]!];
  return [...shape];
}
