import * as tf from '@tensorflow/tfjs';
import { layerNorm, linear, Module, Rng, truncNormal, zerosInit, onesInit } from '@terramae/tensors';

/** Options of {@link ClassificationHead}. */
export interface ClassificationHeadOptions {
  /** Name of the LayerNorm before the linear layer: `norm` (MMEarth's ConvNeXt), `fc_norm` (MAE's ViT), or `null` for none. Default `norm`. */
  readonly normName?: 'norm' | 'fc_norm' | null;
  /** Std of the truncated-normal init of `head.weight` (MMEarth re-initialises with 2e-5; the bias is zero). Default 2e-5. */
  readonly initStd?: number;
  /** LayerNorm eps. Default 1e-6. */
  readonly eps?: number;
  /** Init seed. Default 0. */
  readonly seed?: number;
}

/**
 * The classifier on pooled features used for fine-tuning and the reference linear-probe recipe:
 * LayerNorm (affine) → Linear, with parameters named as the reference state dicts
 * (`norm.weight`, `norm.bias` or `fc_norm.*`, `head.weight`, `head.bias`), so a backbone's
 * `torchStateDict()` plus this head's is the fine-tuned model's checkpoint.
 */
export class ClassificationHead extends Module {
  readonly dim: number;
  readonly numClasses: number;
  readonly eps: number;
  private readonly normWeight?: tf.Variable;
  private readonly normBias?: tf.Variable;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(dim: number, numClasses: number, options: ClassificationHeadOptions = {}) {
    super();
    if (!Number.isInteger(dim) || dim < 1 || !Number.isInteger(numClasses) || numClasses < 1) {
      throw new RangeError(`ClassificationHead: dim and numClasses must be positive integers, got ${dim} and ${numClasses}`);
    }
    this.dim = dim;
    this.numClasses = numClasses;
    this.eps = options.eps ?? 1e-6;
    const normName = options.normName === undefined ? 'norm' : options.normName;
    if (normName) {
      this.normWeight = this.param(`${normName}.weight`, onesInit([dim]));
      this.normBias = this.param(`${normName}.bias`, zerosInit([dim]));
    }
    const rng = new Rng(options.seed ?? 0);
    this.weight = this.param('head.weight', truncNormal([dim, numClasses], rng, options.initStd ?? 2e-5), { torchLayout: 'linear' });
    this.bias = this.param('head.bias', zerosInit([numClasses]));
  }

  /** Logits `[B, numClasses]` of pooled features `[B, dim]`. */
  apply(pooled: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const x = this.normWeight && this.normBias ? layerNorm(pooled, this.normWeight as tf.Tensor1D, this.normBias as tf.Tensor1D, this.eps) : pooled;
      return linear(x, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D) as tf.Tensor2D;
    });
  }
}
