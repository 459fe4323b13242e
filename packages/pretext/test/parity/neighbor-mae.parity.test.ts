// The NeighborMAE parity cases (kind `neighbor_mae`) run directly: IoU-adaptive masking from the
// stored noise and boxes, the joint box ViT, the multi-view decoder and the cross-visibility
// weighted loss, with gradients of the weighted loss, against the PyTorch reference.
import * as tf from '@tensorflow/tfjs';
import { VisionTransformer } from '@terramae/backbones';
import { adaptiveKeep, disposeMask, neighborAdaptiveMasking } from '@terramae/masking';
import { Rng, type Box } from '@terramae/tensors';
import { testBackends, useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { MultiViewMaeDecoder } from '../../src/decoders/multi-view-mae-decoder';
import { neighborReconstructionLoss } from '../../src/tasks/neighbor/neighbor-loss';
import { PARITY_DIR, casesOfKind, compareWith, gradsInTorchLayout, loadParams, type FixtureCase } from './fixture-case';

const cases = casesOfKind('neighbor_mae');

/** `[B·2, H, W, X]` → `[B, 2, X, H, W]`. */
function pairsNchw(x: tf.Tensor4D, b: number): tf.Tensor {
  const [, h, w, c] = x.shape;
  return tf.tidy(() => x.transpose([0, 3, 1, 2]).reshape([b, 2, c, h, w]));
}

async function runCase(c: FixtureCase): Promise<string[]> {
  const a = (c.settings['args'] ?? {}) as Record<string, number | boolean>;
  const [b, ch, h, w] = c.file.info('input/img0').shape as [number, number, number, number];
  const p = a['patch_size'] as number;
  const grid: [number, number] = [h / p, w / p];
  const l = grid[0] * grid[1];
  const ratioMin = a['mask_ratio_min'] as number;
  const ratioMax = a['mask_ratio_max'] as number;
  const embedDim = a['embed_dim'] as number;
  const encoder = new VisionTransformer({
    embedDim,
    depth: a['depth'] as number,
    numHeads: a['num_heads'] as number,
    patchSize: p,
    inChannels: ch,
    imageSize: [h, w],
    posEmbed: 'box',
    numViews: 2,
    mlpRatio: a['mlp_ratio'] as number,
  });
  const decoder = new MultiViewMaeDecoder({
    encoderDim: embedDim,
    decoderDim: a['decoder_embed_dim'] as number,
    depth: a['decoder_depth'] as number,
    numHeads: a['decoder_num_heads'] as number,
    mlpRatio: a['mlp_ratio'] as number,
    outputDim: p * p * ch,
    numViews: 2,
    rng: new Rng(1),
  });
  const pos = c.file.readFloat32Array('input/pos');
  const boxValues: Box[][] = Array.from({ length: b }, (_, s) => [0, 1].map((v) => Array.from(pos.subarray((s * 2 + v) * 4, (s * 2 + v) * 4 + 4)) as unknown as Box));
  const mask = neighborAdaptiveMasking({ ratioMin, ratioMax }).sample({ count: b * 2, grid, views: 2, boxes: boxValues, rng: new Rng(0), noise: c.file.readFloat32Array('input/noise') });
  const boxes = c.file.readTensor('input/pos') as tf.Tensor3D;
  const img0 = c.file.readTensor('input/img0');
  const img1 = c.file.readTensor('input/img1');
  const images = tf.tidy(() => tf.stack([img0, img1], 1).reshape([b * 2, ch, h, w]).transpose([0, 2, 3, 1]) as tf.Tensor4D);
  img0.dispose();
  img1.dispose();
  const problems: string[] = [];
  try {
    loadParams(c, [encoder, decoder], ['cur_iter']);
    const run = () => {
      const enc = encoder.forward(images, { idsKeep: mask.idsKeep, ...(mask.keyMask ? { keyMask: mask.keyMask } : {}), views: 2, boxes });
      const pred = decoder.forward({ tokens: enc.features as tf.Tensor3D, views: 2, grid, idsShuffle: mask.idsShuffle, idsRestore: mask.idsRestore, keep: mask.keep, boxes });
      return neighborReconstructionLoss({ pred, images, mask: mask.mask, boxes, patchSize: p }, { normPixLoss: a['norm_pix_loss'] === true, kernel: 9 });
    };
    const r = tf.tidy(() => {
      const x = run();
      return {
        'output/loss': x.maskedMse,
        'output/weighted_loss': x.weightedLoss,
        'output/loss_map': pairsNchw(x.lossMap, b),
        'output/loss_weight': pairsNchw(x.weight, b),
        'output/pred': pairsNchw(x.predImage, b),
        'output/target': pairsNchw(x.target, b),
        'output/img_proj': pairsNchw(x.neighbourImage, b),
        'output/visible_mask': pairsNchw(x.visible, b),
        'output/visible_mask_proj': pairsNchw(x.neighbourVisible, b),
        'output/encoder_pos_embed': encoder.positionEmbedding(grid, b * 2, 2, boxes).reshape([b, 2, l, embedDim]),
        'output/decoder_pos_embed': decoder.positionEmbedding(boxes, grid).reshape([b, 2, l, decoder.decoderDim]),
        'output/ids_shuffle': mask.idsShuffle.clone(),
        'output/ids_restore': mask.idsRestore.clone(),
      } as Record<string, tf.Tensor>;
    });
    const computed = new Map<string, tf.Tensor | ArrayLike<number>>(Object.entries(r));
    const iou: number[] = [];
    const ratio: number[] = [];
    for (const pair of boxValues) {
      const k = adaptiveKeep(pair, l, ratioMin, ratioMax);
      iou.push(...k.iou);
      ratio.push(...k.ratio);
    }
    const binary = new Uint8Array(b * 2 * l);
    mask.keep.forEach((k, i) => binary.fill(1, i * l, i * l + k));
    computed.set('output/miou', iou).set('output/mask_ratio', ratio).set('output/len_keep', mask.keep).set('output/binary_mask', binary);
    for (const [k, g] of gradsInTorchLayout([encoder, decoder], () => run().weightedLoss)) computed.set(k, g);
    const expected = c.file.keys().filter((k) => (k.startsWith('output/') || k.startsWith('grad/')) && k !== 'output/patch_pos');
    for (const name of expected) {
      const v = computed.get(name);
      computed.delete(name);
      const problem = v !== undefined ? await compareWith(c, name, v) : `${name}: not computed`;
      if (problem) problems.push(problem);
    }
    computed.forEach((t) => t instanceof tf.Tensor && t.dispose());
  } finally {
    images.dispose();
    boxes.dispose();
    disposeMask(mask);
    encoder.dispose();
    decoder.dispose();
  }
  return problems;
}

describe.skipIf(!PARITY_DIR)('NeighborMAE parity (LeungTsang/NeighborMAE)', () => {
  for (const backend of testBackends()) {
    describe(backend, () => {
      beforeAll(async () => {
        await useBackend(backend);
      });
      for (const entry of cases) {
        it(`${entry.name}: losses, weight, visibility, prediction and every gradient within tolerance`, async () => {
          const c = entry.open();
          try {
            const before = tf.memory().numTensors;
            const problems = await runCase(c);
            expect(problems).toEqual([]);
            expect(tf.memory().numTensors).toBe(before);
          } finally {
            c.file.close();
          }
        });
      }
    });
  }
  it('the manifest holds neighbor_mae cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
});
