import * as tf from '@tensorflow/tfjs';
import { normalizeBoxesToUnion } from '@terramae/tensors';
import { JointGridDecoder } from '../../decoders/joint-grid-decoder';
import { MultiViewMaeDecoder } from '../../decoders/multi-view-mae-decoder';
import { definePretextTask } from '../../api/registry';
import type { TaskStepContext } from '../../api/task';
import { NeighborTaskError } from './errors';
import { neighborReconstructionLoss } from './neighbor-loss';

/** Configuration of the `neighbor-reconstruction` task. */
export interface NeighborReconstructionConfig {
  /** Normalise target and warped neighbour with the target's per-patch statistics. Default true (NeighborMAE recipe). */
  readonly normPixLoss: boolean;
  /** Variance epsilon of the normalisation. Default 1e-6. */
  readonly eps: number;
  /**
   * Train on the cross-visibility-weighted loss (NeighborMAE). With false the training loss is the
   * plain masked MSE (the ablation); both are logged either way. Default true.
   */
  readonly weighted: boolean;
  /** Side of the weight's smoothing window (odd). Default 9. */
  readonly weightKernel: number;
  /**
   * Side of the frame each pair's union box is mapped to before the box position embeddings
   * (NeighborMAE: 32). Must equal what the encoder was given.
   */
  readonly boxScale: number;
  /** Decoder width. Default 512 (NeighborMAE). */
  readonly decoderDim: number;
  /** Decoder blocks. Default 8. */
  readonly decoderDepth: number;
  /** Decoder attention heads. Default 16. */
  readonly decoderHeads: number;
  /** Decoder MLP ratio. Default 4. */
  readonly mlpRatio: number;
}

/** The defaults of {@link neighborReconstructionTask}: NeighborMAE's recipe. */
export const NEIGHBOR_RECONSTRUCTION_DEFAULTS: NeighborReconstructionConfig = {
  normPixLoss: true,
  eps: 1e-6,
  weighted: true,
  weightKernel: 9,
  boxScale: 32,
  decoderDim: 512,
  decoderDepth: 8,
  decoderHeads: 16,
  mlpRatio: 4,
};

/** The head of `neighbor-reconstruction`: the joint token decoder (ViT) or the joint grid decoder (ConvNeXt V2). */
export type NeighborHead = MultiViewMaeDecoder | JointGridDecoder;

/**
 * NeighborMAE's joint reconstruction of both views of a neighbour pair with the cross-visibility
 * loss weight (specs/neighbormae.md §3b, §4).
 *
 * - On a ViT with the box position embedding (joint attention over both views in the encoder),
 *   the head is {@link MultiViewMaeDecoder}: NeighborMAE exactly.
 * - On a grid encoder (ConvNeXt V2 in masked mode, each view encoded alone), the head is
 *   {@link JointGridDecoder}: one transformer decoder attends over both views' cells with box
 *   position embeddings; the loss and its weight are the same.
 *
 * The batch must hold 2 views per sample and footprint boxes; the boxes are normalised to each
 * pair's union (`boxScale`) here, exactly as the encoder must receive them.
 */
export const neighborReconstructionTask = definePretextTask({
  name: 'neighbor-reconstruction',
  level: 'neighbour',
  description: 'NeighborMAE: reconstruct both views of a neighbour pair with a joint decoder; cross-visibility loss weight.',
  defaults: NEIGHBOR_RECONSTRUCTION_DEFAULTS,
  consumes: (_config: NeighborReconstructionConfig, ctx: { inputModality: string }) => [ctx.inputModality],
  predicts: (_config: NeighborReconstructionConfig, ctx: { inputModality: string }) => [ctx.inputModality],
  requires: () => ({ views: 2, meta: ['boxes'] as const }),
  validate: (config, ctx) => {
    const problems: string[] = [];
    const spec = ctx.specs[ctx.inputModality];
    if (spec && (spec.level !== 'pixel' || spec.kind !== 'continuous')) {
      problems.push(`neighbor-reconstruction reconstructs the input modality '${ctx.inputModality}', which must be a continuous pixel modality (it is ${spec.kind} ${spec.level}-level).`);
    }
    if (config.decoderDim % 8 !== 0 || config.decoderDim % config.decoderHeads !== 0) {
      problems.push(`neighbor-reconstruction: decoderDim ${config.decoderDim} must be a multiple of 8 (box position embedding) and of decoderHeads ${config.decoderHeads}.`);
    }
    if (!Number.isInteger(config.weightKernel) || config.weightKernel < 1 || config.weightKernel % 2 === 0) {
      problems.push(`neighbor-reconstruction: weightKernel must be a positive odd integer (NeighborMAE: 9), got ${config.weightKernel}.`);
    }
    if (!(config.boxScale > 0)) problems.push(`neighbor-reconstruction: boxScale must be positive (NeighborMAE: 32), got ${config.boxScale}.`);
    return problems;
  },
  build: (config, ctx): NeighborHead => {
    const { backbone } = ctx;
    const common = {
      encoderDim: backbone.dim,
      decoderDim: config.decoderDim,
      depth: config.decoderDepth,
      numHeads: config.decoderHeads,
      mlpRatio: config.mlpRatio,
      outputDim: ctx.patchSize * ctx.patchSize * backbone.inChannels,
      rng: ctx.rng,
    };
    return backbone.layout === 'tokens' ? new MultiViewMaeDecoder({ ...common, numViews: 2 }) : new JointGridDecoder({ ...common, numViews: 2 });
  },
  loss: (head, step, config) => {
    const boxes = checkStep(step);
    return tf.tidy(() => {
      const normBoxes = normalizeBoxesToUnion(boxes, config.boxScale);
      const pred = decode(head, step, normBoxes);
      const r = neighborReconstructionLoss(
        { pred, images: step.input, mask: step.mask.mask, boxes: normBoxes, patchSize: step.encoded.patchSize },
        { normPixLoss: config.normPixLoss, eps: config.eps, kernel: config.weightKernel },
      );
      const loss = config.weighted ? r.weightedLoss : r.maskedMse;
      return { loss, logs: { maskedMse: r.maskedMse, weightedLoss: r.weightedLoss } };
    });
  },
});

/** Run the task's head on the step's encoder output: `[B·2, L, p·p·C]` in the original patch order. */
export function decode(head: NeighborHead, step: TaskStepContext, normalizedBoxes: tf.Tensor3D): tf.Tensor3D {
  const { encoded, mask } = step;
  if (head instanceof MultiViewMaeDecoder) {
    if (encoded.layout !== 'tokens' || !encoded.joint) {
      throw new NeighborTaskError(
        `neighbor-reconstruction: the token decoder needs the joint encoder output of a ViT with the box position embedding ([B, 1 + 2·K, D], joint: true); got a '${encoded.layout}' output${encoded.joint ? '' : ' that is not joint'}. Build the ViT with posEmbed: 'box'.`,
      );
    }
    return head.forward({
      tokens: encoded.features as tf.Tensor3D,
      views: 2,
      grid: mask.grid,
      idsShuffle: mask.idsShuffle,
      idsRestore: mask.idsRestore,
      keep: mask.keep,
      boxes: normalizedBoxes,
    });
  }
  if (encoded.layout !== 'grid') {
    throw new NeighborTaskError(`neighbor-reconstruction: the head was built for a grid encoder but the encoder returned '${encoded.layout}'; rebuild the task for this backbone.`);
  }
  return head.forward({ features: encoded.features as tf.Tensor4D, mask: mask.mask, views: 2, boxes: normalizedBoxes });
}

function checkStep(step: TaskStepContext): tf.Tensor3D {
  const { batch, input, mask } = step;
  if (batch.views !== 2) {
    throw new NeighborTaskError(`neighbor-reconstruction needs neighbour pairs (2 views per sample); the batch has ${batch.views}. Load the data with a neighbour-pair dataset.`);
  }
  if (!batch.boxes) {
    throw new NeighborTaskError('neighbor-reconstruction needs footprint boxes (batch.boxes [B, 2, 4]); the dataset provides none. Use a dataset that yields sample boxes.');
  }
  if (input.shape[0] !== batch.size * 2 || mask.mask.shape[0] !== input.shape[0]) {
    throw new NeighborTaskError(`neighbor-reconstruction: ${input.shape[0]} input images and ${mask.mask.shape[0]} masks for ${batch.size} pairs; expected ${batch.size * 2} of each.`);
  }
  return batch.boxes;
}
