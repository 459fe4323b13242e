import * as tf from '@tensorflow/tfjs';
import { VisionTransformer } from '@terramae/backbones';
import { adaptiveKeep, disposeMask, neighborAdaptiveMasking } from '@terramae/masking';
import { MultiViewMaeDecoder, neighborReconstructionLoss } from '@terramae/pretext';
import { Rng, type Box } from '@terramae/tensors';
import { ParityError } from '../errors';
import type { ParityContext, ParityOutputs, ParityValue } from '../registry';
import { loadFixtureParams, nhwc, onlyExpected, torchLayoutGrads } from './mae_vit';
import { caseNumber, caseValue } from './settings';

/** Per-patch boxes `[V·gh·gw·4]` of NeighborMAE's `patchify_pos` (linear interpolation of the box edges, align_corners). */
function patchBoxes(box: Box, gh: number, gw: number): number[] {
  const f = Math.fround;
  const lerp = (a: number, b: number, i: number, g: number) => {
    const t = f(i * f(1 / g));
    return i === g ? b : f(f(f(1 - t) * a) + f(t * b));
  };
  const out: number[] = [];
  for (let i = 0; i < gh; i++) {
    for (let j = 0; j < gw; j++) {
      out.push(lerp(box[0], box[2], j, gw), lerp(box[1], box[3], i, gh), lerp(box[0], box[2], j + 1, gw), lerp(box[1], box[3], i + 1, gh));
    }
  }
  return out;
}

/** `[B·2, H, W, X]` NHWC → `[B, 2, X, H, W]` as the reference stores per-view maps. */
function toPairsNchw(x: tf.Tensor4D, b: number): tf.Tensor {
  const [, h, w, c] = x.shape;
  return tf.tidy(() => x.transpose([0, 3, 1, 2]).reshape([b, 2, c, h, w]));
}

/**
 * `neighbor_mae`: LeungTsang/NeighborMAE `NeighborMAE.forward` from the stored noise and the
 * union-normalised boxes (`input/pos`): IoU-adaptive masking (`@terramae/masking`), the joint box
 * ViT (`@terramae/backbones`), `MultiViewMaeDecoder` and `neighborReconstructionLoss`
 * (`@terramae/pretext`), with gradients of the weighted loss. Sizes come from `constructor.args`
 * and the tensor shapes; the weight's window is `constructor.args.loss_weight_kernel` when present,
 * else NeighborMAE's 9.
 */
export function neighborMaeHandler(ctx: ParityContext): ParityOutputs {
  const f = ctx.fixture;
  const num = (k: string) => caseNumber(ctx, `constructor.args.${k}`);
  const [b, c, h, w] = f.shape('input/img0') as [number, number, number, number];
  const views = (caseValue(ctx, 'constructor.args.sample_num') as number | undefined) ?? 2;
  if (views !== 2) throw new ParityError(`case "${ctx.case.name}": NeighborMAE works on pairs; sample_num is ${views}`);
  const p = num('patch_size');
  const grid: [number, number] = [h / p, w / p];
  const l = grid[0] * grid[1];
  const ratioMin = num('mask_ratio_min');
  const ratioMax = num('mask_ratio_max');
  const mlpRatio = num('mlp_ratio');
  const normPixLoss = caseValue(ctx, 'constructor.args.norm_pix_loss') === true;
  const kernel = (caseValue(ctx, 'constructor.args.loss_weight_kernel') as number | undefined) ?? 9;
  const embedDim = num('embed_dim');
  const encoder = new VisionTransformer({
    embedDim,
    depth: num('depth'),
    numHeads: num('num_heads'),
    patchSize: p,
    inChannels: c,
    imageSize: [h, w],
    posEmbed: 'box',
    numViews: views,
    mlpRatio,
    qkvBias: true,
    eps: 1e-6,
  });
  const decoder = new MultiViewMaeDecoder({
    encoderDim: embedDim,
    decoderDim: num('decoder_embed_dim'),
    depth: num('decoder_depth'),
    numHeads: num('decoder_num_heads'),
    mlpRatio,
    outputDim: p * p * c,
    numViews: views,
    rng: new Rng(0),
  });
  const modules = [encoder, decoder];
  const posValues = f.float32('input/pos');
  const boxValues: Box[][] = [];
  for (let s = 0; s < b; s++) {
    boxValues.push([0, 1].map((v) => Array.from(posValues.subarray((s * 2 + v) * 4, (s * 2 + v) * 4 + 4)) as unknown as Box));
  }
  const mask = neighborAdaptiveMasking({ ratioMin, ratioMax }).sample({ count: b * 2, grid, views: 2, boxes: boxValues, rng: new Rng(0), noise: f.float32('input/noise') });
  const boxes = f.require('input/pos') as tf.Tensor3D;
  const images = tf.tidy(() => {
    const pair = tf.stack([nhwc(f, 'input/img0'), nhwc(f, 'input/img1')], 1); // [B, 2, H, W, C]
    return pair.reshape([b * 2, h, w, c]) as tf.Tensor4D;
  });
  try {
    loadFixtureParams(f, modules, ['cur_iter']);
    const run = () => {
      const enc = encoder.forward(images, { idsKeep: mask.idsKeep, ...(mask.keyMask ? { keyMask: mask.keyMask } : {}), views: 2, boxes });
      const pred = decoder.forward({ tokens: enc.features as tf.Tensor3D, views: 2, grid, idsShuffle: mask.idsShuffle, idsRestore: mask.idsRestore, keep: mask.keep, boxes });
      return neighborReconstructionLoss({ pred, images, mask: mask.mask, boxes, patchSize: p }, { normPixLoss, kernel });
    };
    const out = new Map<string, ParityValue>();
    const r = tf.tidy(() => {
      const x = run();
      return {
        loss: x.maskedMse,
        weighted: x.weightedLoss,
        lossMap: toPairsNchw(x.lossMap, b),
        weight: toPairsNchw(x.weight, b),
        pred: toPairsNchw(x.predImage, b),
        target: toPairsNchw(x.target, b),
        proj: toPairsNchw(x.neighbourImage, b),
        visible: toPairsNchw(x.visible, b),
        visibleProj: toPairsNchw(x.neighbourVisible, b),
        encPos: encoder.positionEmbedding(grid, b * 2, 2, boxes).reshape([b, 2, l, embedDim]),
        decPos: decoder.positionEmbedding(boxes, grid).reshape([b, 2, l, decoder.decoderDim]),
      };
    });
    out.set('output/loss', r.loss).set('output/weighted_loss', r.weighted).set('output/loss_map', r.lossMap).set('output/loss_weight', r.weight);
    out.set('output/pred', r.pred).set('output/target', r.target).set('output/img_proj', r.proj);
    out.set('output/visible_mask', r.visible).set('output/visible_mask_proj', r.visibleProj);
    out.set('output/encoder_pos_embed', r.encPos).set('output/decoder_pos_embed', r.decPos);
    const iou: number[] = [];
    const ratio: number[] = [];
    for (const pair of boxValues) {
      const a = adaptiveKeep(pair, l, ratioMin, ratioMax);
      iou.push(...a.iou);
      ratio.push(...a.ratio);
    }
    out.set('output/miou', { shape: [b, 2], data: iou }).set('output/mask_ratio', { shape: [b, 2], data: ratio });
    out.set('output/len_keep', { shape: [b, 2], data: mask.keep });
    const binary = new Uint8Array(b * 2 * l);
    mask.keep.forEach((k, i) => binary.fill(1, i * l, i * l + k));
    out.set('output/binary_mask', { shape: [b, 2, l], data: binary });
    out.set('output/ids_shuffle', tf.tidy(() => mask.idsShuffle.reshape([b, 2, l])));
    out.set('output/ids_restore', tf.tidy(() => mask.idsRestore.reshape([b, 2, l])));
    out.set('output/patch_pos', { shape: [b, 2, l, 4], data: boxValues.flatMap((pair) => pair.flatMap((box) => patchBoxes(box, grid[0], grid[1]))) });
    for (const [name, g] of torchLayoutGrads(modules, () => run().weightedLoss)) out.set(name, g);
    return onlyExpected(ctx, out);
  } finally {
    images.dispose();
    boxes.dispose();
    disposeMask(mask);
    encoder.dispose();
    decoder.dispose();
  }
}
