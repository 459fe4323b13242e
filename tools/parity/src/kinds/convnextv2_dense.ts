import * as tf from '@tensorflow/tfjs';
import { ConvNeXtV2 } from '@terramae/backbones';
import { leanVariableGrads, toTorchLayout, torchShapeOf, type Module } from '@terramae/tensors';
import { ParityError } from '../errors';
import type { FixtureReader } from '../fixture';
import type { ParityContext, ParityOutputs, ParityValue } from '../registry';
import { caseValue } from './settings';

/** NCHW fixture image → NHWC tensor (the caller disposes it). */
export function fixtureNhwc(fixture: FixtureReader, name: string): tf.Tensor4D {
  return tf.tidy(() => (fixture.require(name) as tf.Tensor4D).transpose([0, 2, 3, 1]) as tf.Tensor4D);
}

/** A trainable variable holding `t` (which is disposed). */
export function variableFrom(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

/** Load every `param/<name>` of the file into `module` (strict both ways: no parameter left on either side). */
export function loadParams(fixture: FixtureReader, module: Module): void {
  const available = fixture.names('param/').map((n) => n.slice('param/'.length));
  const dict: Record<string, tf.Tensor> = {};
  try {
    for (const name of available) dict[name] = fixture.tensor(`param/${name}`);
    module.loadTorchStateDict(dict, { strict: true });
  } finally {
    for (const t of Object.values(dict)) t.dispose();
  }
}

/**
 * `grad/<name>` (PyTorch layout) for every trainable parameter of `module` and `grad/input/x`
 * (NCHW) for the NHWC input variable `x`, of the scalar `loss`.
 */
export function gradsWithInput(module: Module, x: tf.Variable, loss: () => tf.Scalar): Map<string, tf.Tensor> {
  const params = module.namedParameters().filter((p) => p.trainable);
  const { value, grads } = leanVariableGrads(loss, [...params.map((p) => p.variable), x]);
  value.dispose();
  const out = new Map<string, tf.Tensor>();
  try {
    for (const p of [...params, { name: 'input/x', variable: x }]) {
      const g = grads[p.variable.name];
      if (!g) throw new ParityError(`no gradient reached "${p.name}"`);
      if ('torchLayout' in p) out.set(`grad/${p.name}`, toTorchLayout(g, p.torchLayout, torchShapeOf(p.variable.shape, p.torchLayout, p.torchChannels)));
      else out.set('grad/input/x', tf.tidy(() => g.transpose([0, 3, 1, 2])));
    }
  } finally {
    for (const g of Object.values(grads)) g.dispose();
  }
  return out;
}

/** Keep only the computed tensors the file holds; dispose the others. */
export function keepExpected(ctx: ParityContext, values: Map<string, ParityValue>): Map<string, ParityValue> {
  for (const [name, v] of values) {
    if (!ctx.expected.includes(name)) {
      if (v instanceof tf.Tensor) v.dispose();
      values.delete(name);
    }
  }
  return values;
}

function intList(ctx: ParityContext, key: string): number[] {
  const v = caseValue(ctx, `constructor.${key}`);
  if (!Array.isArray(v) || v.length !== 4 || !v.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ParityError(`case "${ctx.case.name}" (kind ${ctx.case.kind}): constructor.${key} must list 4 positive integers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

function optionalNumber(ctx: ParityContext, key: string, fallback: number): number {
  const v = caseValue(ctx, `constructor.${key}`);
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ParityError(`case "${ctx.case.name}": constructor.${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

const nchw = (t: tf.Tensor): tf.Tensor => tf.tidy(() => t.transpose([0, 3, 1, 2]));

/**
 * `convnextv2_dense`: MMEarth-train's dense fine-tuning `ConvNeXtV2` (`models/convnextv2.py`:
 * unpadded 3×3 `initial_conv`, stem padding `k//2`, GRN eps 1e-4) in eval mode:
 * `logits = head(norm(GAP(stages(stem(initial_conv(x))))))`, its intermediates (`initial_conv`,
 * `stem`, `stage0..3` NCHW, `pooled`, `features`), the scalar `loss = Σ logits·loss_weights` and its
 * gradients with respect to every parameter and the input. Depths, dims, classes, patch size,
 * stem variant and channels come from the constructor and the tensor shapes.
 */
export function convnextv2DenseHandler(ctx: ParityContext): ParityOutputs {
  const f = ctx.fixture;
  const [, c] = f.shape('input/x') as [number, number, number, number];
  const inChans = caseValue(ctx, 'constructor.in_chans');
  if (inChans !== undefined && inChans !== c) throw new ParityError(`case "${ctx.case.name}": constructor.in_chans ${String(inChans)} differs from input/x channels ${c}`);
  const numClasses = f.has('input/loss_weights') ? (f.shape('input/loss_weights')[1] as number) : optionalNumber(ctx, 'num_classes', 0);
  const model = new ConvNeXtV2({
    depths: intList(ctx, 'depths'),
    dims: intList(ctx, 'dims'),
    inChannels: c,
    patchSize: optionalNumber(ctx, 'patch_size', 32),
    stem: caseValue(ctx, 'constructor.use_orig_stem') === true ? 'original' : 'mmearth',
    padding: 'finetune',
    numClasses,
    finalNorm: true,
    dropPathRate: optionalNumber(ctx, 'drop_path_rate', 0),
    grnEps: optionalNumber(ctx, 'grn_eps', 1e-4),
  });
  model.eval();
  const x = variableFrom(fixtureNhwc(f, 'input/x'));
  const weights = f.require('input/loss_weights');
  try {
    loadParams(f, model);
    const out = new Map<string, ParityValue>();
    const d = model.forwardDetailed(x as tf.Tensor4D);
    if (d.initialConv) out.set('output/initial_conv', nchw(d.initialConv));
    out.set('output/stem', nchw(d.stem));
    d.stages.forEach((s, i) => out.set(`output/stage${i}`, nchw(s)));
    out.set('output/pooled', d.pooled).set('output/features', d.features);
    out.set('output/loss', tf.tidy(() => (d.logits as tf.Tensor).mul(weights).sum()));
    out.set('output/logits', d.logits as tf.Tensor);
    for (const t of [d.initialConv, d.stem, ...d.stages]) t?.dispose();
    for (const [name, g] of gradsWithInput(model, x, () => model.classify(x as tf.Tensor4D).mul(weights).sum() as tf.Scalar)) out.set(name, g);
    return keepExpected(ctx, out);
  } finally {
    x.dispose();
    weights.dispose();
    model.dispose();
  }
}
