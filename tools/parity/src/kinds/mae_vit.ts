import * as tf from '@tensorflow/tfjs';
import { VisionTransformer } from '@terramae/backbones';
import { randomMasking, disposeMask } from '@terramae/masking';
import { MaeDecoder, maeReconstructionLoss } from '@terramae/pretext';
import { leanVariableGrads, Rng, toTorchLayout, torchShapeOf, type Module } from '@terramae/tensors';
import { ParityError } from '../errors';
import type { FixtureReader } from '../fixture';
import type { ParityContext, ParityOutputs, ParityValue } from '../registry';
import { caseNumber, caseValue } from './settings';

/**
 * Load the fixture's `param/<name>` tensors (PyTorch layout) into modules by name. Every fixture
 * parameter must land in exactly one module, except the names in `ignore` (buffers the math does
 * not use, e.g. NeighborMAE's `cur_iter`).
 */
export function loadFixtureParams(fixture: FixtureReader, modules: readonly Module[], ignore: readonly string[] = []): void {
  const available = new Set(fixture.names('param/').map((n) => n.slice('param/'.length)));
  const used = new Set<string>();
  for (const m of modules) {
    const dict: Record<string, tf.Tensor> = {};
    try {
      for (const p of m.namedParameters()) {
        if (!available.has(p.name)) throw new ParityError(`${fixture.path}: the model has parameter "${p.name}" but the file has no "param/${p.name}"`);
        dict[p.name] = fixture.tensor(`param/${p.name}`);
        used.add(p.name);
      }
      m.loadTorchStateDict(dict, { strict: true });
    } finally {
      for (const t of Object.values(dict)) t.dispose();
    }
  }
  const left = [...available].filter((n) => !used.has(n) && !ignore.includes(n));
  if (left.length) throw new ParityError(`${fixture.path}: parameters the model does not have: ${left.join(', ')}`);
}

/**
 * Gradients of `loss` with respect to every trainable parameter of `modules` (and optional extra
 * variables), converted to PyTorch layout and keyed `grad/<name>`.
 */
export function torchLayoutGrads(modules: readonly Module[], loss: () => tf.Scalar, extra: ReadonlyMap<string, tf.Variable> = new Map()): Map<string, tf.Tensor> {
  const params = modules.flatMap((m) => m.namedParameters().filter((p) => p.trainable));
  const vars = [...params.map((p) => p.variable), ...extra.values()];
  const { value, grads } = leanVariableGrads(loss, vars);
  value.dispose();
  const out = new Map<string, tf.Tensor>();
  try {
    for (const p of params) {
      const g = grads[p.variable.name];
      if (!g) throw new ParityError(`no gradient reached parameter "${p.name}"`);
      out.set(`grad/${p.name}`, toTorchLayout(g, p.torchLayout, torchShapeOf(p.variable.shape, p.torchLayout, p.torchChannels)));
    }
    for (const [name, v] of extra) {
      const g = grads[v.name];
      if (!g) throw new ParityError(`no gradient reached "${name}"`);
      out.set(name, g.clone());
    }
  } finally {
    for (const g of Object.values(grads)) g.dispose();
  }
  return out;
}

/** Keep only the computed tensors the file holds; dispose the others. */
export function onlyExpected(ctx: ParityContext, values: Map<string, ParityValue>): Map<string, ParityValue> {
  for (const [name, v] of values) {
    if (!ctx.expected.includes(name)) {
      if (v instanceof tf.Tensor) v.dispose();
      values.delete(name);
    }
  }
  return values;
}

/** NCHW fixture image → NHWC tensor. */
export function nhwc(fixture: FixtureReader, name: string): tf.Tensor4D {
  return tf.tidy(() => (fixture.require(name) as tf.Tensor4D).transpose([0, 2, 3, 1]) as tf.Tensor4D);
}

/**
 * `mae_vit`: facebookresearch/mae `MaskedAutoencoderViT.forward` from the stored noise: the ViT
 * encoder (`@terramae/backbones`, sin-cos position embedding), `MaeDecoder` and
 * `maeReconstructionLoss` (`@terramae/pretext`), with gradients of the loss with respect to every
 * parameter and the input image. Sizes come from the constructor and the tensor shapes.
 */
export function maeVitHandler(ctx: ParityContext): ParityOutputs {
  const f = ctx.fixture;
  const num = (k: string) => caseNumber(ctx, `constructor.${k}`);
  const [n, c, h, w] = f.shape('input/imgs') as [number, number, number, number];
  const inChans = caseValue(ctx, 'constructor.in_chans');
  if (inChans !== undefined && inChans !== c) throw new ParityError(`case "${ctx.case.name}": constructor.in_chans ${String(inChans)} differs from input/imgs channels ${c}`);
  const p = num('patch_size');
  const grid: [number, number] = [h / p, w / p];
  const normPixLoss = caseValue(ctx, 'constructor.norm_pix_loss') === true;
  const mlpRatio = num('mlp_ratio');
  const encoder = new VisionTransformer({
    embedDim: num('embed_dim'),
    depth: num('depth'),
    numHeads: num('num_heads'),
    patchSize: p,
    inChannels: c,
    imageSize: [h, w],
    posEmbed: 'sincos',
    mlpRatio,
    qkvBias: true,
    eps: 1e-6,
  });
  const decoder = new MaeDecoder({
    encoderDim: num('embed_dim'),
    decoderDim: num('decoder_embed_dim'),
    depth: num('decoder_depth'),
    numHeads: num('decoder_num_heads'),
    mlpRatio,
    outputDim: p * p * c,
    grid,
    rng: new Rng(0),
  });
  const modules = [encoder, decoder];
  const mask = randomMasking({ ratio: num('mask_ratio') }).sample({ count: n, grid, rng: new Rng(0), noise: f.float32('input/noise') });
  const imageInit = nhwc(f, 'input/imgs');
  const image = tf.variable(imageInit, true);
  imageInit.dispose();
  try {
    loadFixtureParams(f, modules);
    const run = () => {
      const enc = encoder.forward(image as tf.Tensor4D, { idsKeep: mask.idsKeep });
      const pred = decoder.forward({ tokens: enc.features as tf.Tensor3D, idsRestore: mask.idsRestore, keep: mask.keep });
      const { loss, target } = maeReconstructionLoss(pred, image as tf.Tensor4D, mask.mask, p, { normPixLoss });
      return { latent: enc.features, pred, loss, target };
    };
    const out = new Map<string, ParityValue>();
    const fwd = tf.tidy(run);
    out.set('output/latent', fwd.latent).set('output/pred', fwd.pred).set('output/target_normalized', fwd.target).set('output/loss', fwd.loss);
    out.set('output/ids_shuffle', mask.idsShuffle.clone()).set('output/ids_restore', mask.idsRestore.clone()).set('output/mask', mask.mask.clone());
    const grads = torchLayoutGrads(modules, () => run().loss, new Map([['grad/input/imgs', image]]));
    for (const [name, g] of grads) {
      if (name === 'grad/input/imgs') {
        out.set(name, tf.tidy(() => g.transpose([0, 3, 1, 2])));
        g.dispose();
      } else out.set(name, g);
    }
    return onlyExpected(ctx, out);
  } finally {
    image.dispose();
    disposeMask(mask);
    encoder.dispose();
    decoder.dispose();
  }
}
