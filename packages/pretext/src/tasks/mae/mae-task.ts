import * as tf from '@tensorflow/tfjs';
import { MaeDecoder } from '../../decoders/mae-decoder';
import { unpatchifyPixelPrediction } from '../mmearth/pixel-mse-loss';
import { definePretextTask } from '../../api/registry';
import type { TaskStepContext } from '../../api/task';
import { MaeTaskError } from './errors';
import { maeReconstructionLoss } from './mae-loss';

/** Configuration of the `mae-reconstruction` task. */
export interface MaeReconstructionConfig {
  /** Normalise each target patch by its mean and unbiased variance (MAE `--norm_pix_loss`, used by the released recipe). Default true. */
  readonly normPixLoss: boolean;
  /** Variance epsilon of the normalisation. Default 1e-6. */
  readonly eps: number;
  /** Decoder width. Default 512 (MAE). */
  readonly decoderDim: number;
  /** Decoder blocks. Default 8 (MAE). */
  readonly decoderDepth: number;
  /** Decoder attention heads. Default 16 (MAE). */
  readonly decoderHeads: number;
  /** Decoder MLP ratio. Default 4. */
  readonly mlpRatio: number;
}

/** The defaults of {@link maeReconstructionTask}: MAE's pretraining recipe (decoder 512/8/16, norm-pix loss). */
export const MAE_RECONSTRUCTION_DEFAULTS: MaeReconstructionConfig = {
  normPixLoss: true,
  eps: 1e-6,
  decoderDim: 512,
  decoderDepth: 8,
  decoderHeads: 16,
  mlpRatio: 4,
};

/**
 * MAE's pixel reconstruction for token encoders (facebookresearch/mae): a transformer decoder
 * ({@link MaeDecoder}) predicts every patch of the encoder's input image, and the loss is the
 * per-patch MSE averaged over the removed patches, against the patch-normalised target when
 * `normPixLoss` is on. Each view of a multi-view batch counts as its own image (a ViT with the
 * sin-cos position embedding); for the joint box ViT use `neighbor-reconstruction`.
 */
export const maeReconstructionTask = definePretextTask({
  name: 'mae-reconstruction',
  level: 'pixel',
  description: 'MAE: reconstruct the masked patches of the input image with a transformer decoder (per-patch MSE on removed patches, optional norm-pix).',
  defaults: MAE_RECONSTRUCTION_DEFAULTS,
  consumes: (_config: MaeReconstructionConfig, ctx: { inputModality: string }) => [ctx.inputModality],
  predicts: (_config: MaeReconstructionConfig, ctx: { inputModality: string }) => [ctx.inputModality],
  requires: () => ({ layouts: ['tokens'] as const }),
  validate: (config, ctx) => {
    const problems: string[] = [];
    if (ctx.layout !== 'tokens') {
      problems.push(`mae-reconstruction needs a token encoder (ViT); the backbone has a '${ctx.layout}' layout. Use FCMAE-style pixel reconstruction for ConvNeXt V2.`);
    }
    const spec = ctx.specs[ctx.inputModality];
    if (spec && (spec.level !== 'pixel' || spec.kind !== 'continuous')) {
      problems.push(`mae-reconstruction reconstructs the input modality '${ctx.inputModality}', which must be a continuous pixel modality (it is ${spec.kind} ${spec.level}-level).`);
    }
    if (config.decoderDim % config.decoderHeads !== 0 || config.decoderDim % 4 !== 0) {
      problems.push(`mae-reconstruction: decoderDim ${config.decoderDim} must be a multiple of 4 and of decoderHeads ${config.decoderHeads}.`);
    }
    return problems;
  },
  build: (config, ctx) => {
    const { backbone } = ctx;
    if (backbone.layout !== 'tokens') {
      throw new MaeTaskError(`mae-reconstruction needs a token encoder (ViT), got a '${backbone.layout}' backbone; use a ViT or FCMAE pixel reconstruction.`);
    }
    return new MaeDecoder({
      encoderDim: backbone.dim,
      decoderDim: config.decoderDim,
      depth: config.decoderDepth,
      numHeads: config.decoderHeads,
      mlpRatio: config.mlpRatio,
      outputDim: ctx.patchSize * ctx.patchSize * backbone.inChannels,
      grid: ctx.grid,
      rng: ctx.rng,
    });
  },
  loss: (head, step, config) => {
    const { encoded, mask, input } = step;
    checkStep(head, step);
    return tf.tidy(() => {
      const pred = head.forward({ tokens: encoded.features as tf.Tensor3D, idsRestore: mask.idsRestore, keep: mask.keep });
      const { loss } = maeReconstructionLoss(pred, input, mask.mask, encoded.patchSize, { normPixLoss: config.normPixLoss, eps: config.eps });
      return { loss };
    });
  },
  predict: (head, step, config) => {
    const { encoded, mask, input } = step;
    checkStep(head, step);
    return tf.tidy(() => {
      const pred = head.forward({ tokens: encoded.features as tf.Tensor3D, idsRestore: mask.idsRestore, keep: mask.keep });
      return unpatchifyPixelPrediction(pred, input, encoded.patchSize, { normPix: config.normPixLoss, eps: config.eps });
    });
  },
});

function checkStep(head: MaeDecoder, step: TaskStepContext): void {
  const { encoded, mask, input } = step;
  if (encoded.layout !== 'tokens' || encoded.joint) {
    throw new MaeTaskError(
      `mae-reconstruction: the encoder returned ${encoded.joint ? 'joint multi-view tokens' : `a '${encoded.layout}' output`}; it needs per-image tokens [N, 1 + K, D] (a ViT with the sin-cos position embedding). For neighbour pairs on a box ViT use 'neighbor-reconstruction'.`,
    );
  }
  if (!encoded.hasClassToken) throw new MaeTaskError('mae-reconstruction: the encoder tokens have no class token; MAE decoding expects [N, 1 + K, D] with the class token first.');
  const [gh, gw] = head.grid;
  if (mask.grid[0] !== gh || mask.grid[1] !== gw) {
    throw new MaeTaskError(`mae-reconstruction: the mask grid ${mask.grid[0]}×${mask.grid[1]} differs from the decoder's ${gh}×${gw}; build the task for the input size the model is trained at.`);
  }
  const c = input.shape[3];
  if (encoded.patchSize * encoded.patchSize * c !== head.outputDim) {
    throw new MaeTaskError(`mae-reconstruction: the input has ${c} channels at patch ${encoded.patchSize}, but the decoder predicts ${head.outputDim} values per patch; rebuild the task for this input.`);
  }
}
