import * as tf from '@tensorflow/tfjs';
import {
  FCMAE_DECODER_DEFAULTS,
  decodeStep,
  definePretextTask,
  fcmaeDecoderFor,
  fcmaePixelMseLoss,
  type FcmaeDecoder,
  type FcmaeDecoderConfig,
} from '@terramae/pretext';
import { Module, TerramaeError, linear, truncNormal, zerosInit, type Rng } from '@terramae/tensors';

/** Config of the `ndvi-regression` task. */
export interface NdviRegressionConfig {
  /** Name of the red band in the input modality's spec. */
  readonly redBand: string;
  /** Name of the near-infrared band. */
  readonly nirBand: string;
  /** Loss over `masked` patches only, or `all`. */
  readonly patches: 'masked' | 'all';
  /** Decoder settings (missing fields take the defaults); the default shares MMEarth's FCMAE decoder with the other tasks. */
  readonly decoder: Partial<FcmaeDecoderConfig>;
}

// Typed registration: `createPretextTask('ndvi-regression', {...})` now checks the config.
declare module '@terramae/pretext' {
  interface PretextTaskMap {
    'ndvi-regression': NdviRegressionConfig;
  }
}

/** A config or batch the NDVI task cannot use. */
export class NdviTaskError extends TerramaeError {}

/** The task's head: a 1×1 conv from the decoder width to one NDVI value per pixel of a patch (p²). */
export class NdviHead extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;
  constructor(
    readonly dim: number,
    readonly patchSize: number,
    /** Channel indices of the red and NIR bands in the input. */
    readonly bands: readonly [red: number, nir: number],
    /** The (shared) decoder the head reads. */
    readonly decoder: FcmaeDecoder,
    readonly sharedDecoder: boolean,
    rng: Rng,
  ) {
    super();
    const out = patchSize * patchSize;
    this.weight = this.param('weight', truncNormal([dim, out], rng), { torchLayout: 'linear' });
    this.bias = this.param('bias', zerosInit([out]));
    // A decoder of its own (per-task sharing) is a child, so its parameters belong to this head.
    if (!sharedDecoder) this.module('decoder', decoder);
  }
  /** `[N, h, w, dim]` → `[N, h·w, p²]`. */
  forward(decoded: tf.Tensor4D): tf.Tensor3D {
    const [n, h, w] = decoded.shape;
    return tf.tidy(() => linear(decoded, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D).reshape([n, h * w, this.patchSize ** 2]) as tf.Tensor3D);
  }
}

/** `(nir − red) / (nir + red)` of an NHWC image, `[N, H, W, 1]` (0 where both are 0). */
export function ndvi(x: tf.Tensor4D, red: number, nir: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    const r = x.slice([0, 0, 0, red], [n, h, w, 1]);
    const i = x.slice([0, 0, 0, nir], [n, h, w, 1]);
    const sum = i.add(r);
    const safe = tf.where(tf.equal(sum, 0), tf.onesLike(sum), sum);
    return i.sub(r).div(safe) as tf.Tensor4D;
  });
}

/**
 * Predict the NDVI of every pixel of the hidden patches from the visible ones. NDVI is computed
 * from the encoder's input, so the task needs no extra data: it only needs the input modality to
 * have a red and a NIR band (use it on reflectances, not z-scored values).
 */
export const ndviRegressionTask = definePretextTask({
  name: 'ndvi-regression',
  level: 'pixel',
  description: 'Regress per-pixel NDVI of the masked patches (example plugin).',
  defaults: { redBand: 'B4', nirBand: 'B8', patches: 'masked', decoder: FCMAE_DECODER_DEFAULTS } as NdviRegressionConfig,
  consumes: (_c: NdviRegressionConfig, ctx: { inputModality: string }) => [ctx.inputModality],
  predicts: () => [],
  validate: (c, ctx) => {
    const bands = ctx.specs[ctx.inputModality]?.bands ?? [];
    return [c.redBand, c.nirBand]
      .filter((b) => !bands.includes(b))
      .map((b) => `ndvi-regression needs band '${b}' in '${ctx.inputModality}' (it has ${bands.join(', ')}); set redBand/nirBand to its band names`);
  },
  build: (c, ctx) => {
    const bands = ctx.specs[ctx.inputModality]?.bands ?? [];
    const red = bands.indexOf(c.redBand);
    const nir = bands.indexOf(c.nirBand);
    if (red < 0 || nir < 0) throw new NdviTaskError(`ndvi-regression: '${ctx.inputModality}' lacks band ${red < 0 ? c.redBand : c.nirBand}`);
    const { decoder, shared } = fcmaeDecoderFor(c.decoder, ctx);
    return new NdviHead(decoder.dim, ctx.patchSize, [red, nir], decoder, shared, ctx.rng);
  },
  loss: (head, step, c) =>
    tf.tidy(() => {
      const target = ndvi(step.input, head.bands[0], head.bands[1]);
      const pred = head.forward(decodeStep(step, head.decoder, head.sharedDecoder));
      const loss = fcmaePixelMseLoss(pred, target, step.mask.mask, head.patchSize, { patches: c.patches });
      return { loss, logs: { target_mean: target.mean() as tf.Scalar } };
    }),
});
