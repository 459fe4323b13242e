import * as tf from '@tensorflow/tfjs';
import { Module, linear, truncNormal, zerosInit, type Rng } from '@terramae/tensors';
import type { FcmaeDecoder, ImageLevelNorm } from '../../decoders/fcmae-decoder';

/**
 * A pixel-level head: MMEarth's `pred_dict[<modality>]`, a 1×1 conv from the decoder width to
 * `p²·C` (`weight` HWIO `[1, 1, dim, p²·C]`, `bias`). With per-task decoding it also owns its
 * decoder (`decoder.*`); otherwise it reads the shared one (not its child).
 */
export class PixelHead extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;
  /** The decoder this head reads (the shared one, or its own child `decoder` with per-task sharing). */
  readonly decoder: FcmaeDecoder;
  /** Whether {@link PixelHead.decoder} is the shared decoder. */
  readonly sharedDecoder: boolean;
  constructor(
    readonly dim: number,
    readonly outChannels: number,
    rng: Rng,
    decoding: { readonly decoder: FcmaeDecoder; readonly shared: boolean },
    /** Std of the weight's trunc-normal init: 0.02, or 1 as `FCMAE._init_weights` runs (see `FcmaeDecoderConfig.convInit`). */
    weightStd = 0.02,
  ) {
    super();
    this.weight = this.param('weight', truncNormal([1, 1, dim, outChannels], rng, weightStd), { torchLayout: 'conv' });
    this.bias = this.param('bias', zerosInit([outChannels]));
    this.sharedDecoder = decoding.shared;
    this.decoder = decoding.shared ? decoding.decoder : this.module('decoder', decoding.decoder);
  }
  /** `[N, h, w, dim]` → `[N, h·w, outChannels]` (patch-major, as the reference's `[N, L, p²·C]`). */
  forward(decoded: tf.Tensor4D): tf.Tensor3D {
    const [n, h, w] = decoded.shape;
    return tf.tidy(() => linear(decoded, this.weight.reshape([this.dim, this.outChannels]) as tf.Tensor2D, this.bias as tf.Tensor1D).reshape([n, h * w, this.outChannels]) as tf.Tensor3D);
  }
}

/**
 * An image-level head: MMEarth's per-task Linear on the pooled decoder features (`weight` `[dim, K]`,
 * `bias`). With per-task decoding it also owns its decoder (`decoder.*`) and norm (`norm.*`);
 * otherwise it reads the shared decoder and `layer_norm_tmp`.
 */
export class ImageHead extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;
  /** The decoder this head reads (shared, or its own child `decoder`). */
  readonly decoder: FcmaeDecoder;
  /** The image-level LayerNorm (shared `layer_norm_tmp`, or its own child `norm`). */
  readonly norm: ImageLevelNorm;
  /** Whether decoder and norm are the shared ones. */
  readonly sharedDecoder: boolean;
  constructor(
    readonly dim: number,
    readonly outFeatures: number,
    rng: Rng,
    decoding: { readonly decoder: FcmaeDecoder; readonly norm: ImageLevelNorm; readonly shared: boolean },
  ) {
    super();
    this.weight = this.param('weight', truncNormal([dim, outFeatures], rng), { torchLayout: 'linear' });
    this.bias = this.param('bias', zerosInit([outFeatures]));
    this.sharedDecoder = decoding.shared;
    this.decoder = decoding.shared ? decoding.decoder : this.module('decoder', decoding.decoder);
    this.norm = decoding.shared ? decoding.norm : this.module('norm', decoding.norm);
  }
  /** `[N, dim]` → `[N, K]`. */
  forward(pooled: tf.Tensor2D): tf.Tensor2D {
    return linear(pooled, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D) as tf.Tensor2D;
  }
}
