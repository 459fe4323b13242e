import * as tf from '@tensorflow/tfjs';
import {
  Module,
  conv2d,
  depthwisePatchConv2d,
  gelu,
  layerNorm,
  linear,
  onesInit,
  patchConv2d,
  truncNormal,
  zerosInit,
  type Rng,
} from '@terramae/tensors';

/** LayerNorm eps of every ConvNeXt V2 norm. */
export const CONVNEXT_LN_EPS = 1e-6;

/**
 * MMEarth's `initial_conv`: 3×3 conv Cin→d (`0.weight`, `0.bias`) → channels-first LayerNorm
 * (`1.weight`, `1.bias`) → GELU.
 */
export class InitialConv extends Module {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly lnWeight: tf.Variable;
  private readonly lnBias: tf.Variable;

  constructor(inChannels: number, dim: number, rng: Rng) {
    super();
    this.weight = this.param('0.weight', truncNormal([3, 3, inChannels, dim], rng), { torchLayout: 'conv' });
    this.bias = this.param('0.bias', zerosInit([dim]));
    this.lnWeight = this.param('1.weight', onesInit([dim]));
    this.lnBias = this.param('1.bias', zerosInit([dim]));
  }

  /** `[B, H, W, Cin]` → `[B, H + 2·padding − 2, …, d]`. */
  forward(x: tf.Tensor4D, padding: number): tf.Tensor4D {
    return tf.tidy(() => {
      const h = conv2d(x, this.weight as tf.Tensor4D, this.bias as tf.Tensor1D, padding);
      return gelu(layerNorm(h, this.lnWeight as tf.Tensor1D, this.lnBias as tf.Tensor1D, CONVNEXT_LN_EPS)) as tf.Tensor4D;
    });
  }
}

/**
 * A non-overlapping stem (kernel = stride = `k`, `0.weight`, `0.bias`) followed by a LayerNorm
 * (`1.weight`, `1.bias`): MMEarth's depthwise `stem` (`depthwise: true`, weight `[k,k,d,1]`) or
 * the original patchify stem `stem_orig` (weight `[k,k,Cin,d]`).
 */
export class PatchStem extends Module {
  /** Kernel and stride. */
  readonly k: number;
  /** Whether the conv is depthwise. */
  readonly depthwise: boolean;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly lnWeight: tf.Variable;
  private readonly lnBias: tf.Variable;

  constructor(inChannels: number, dim: number, k: number, depthwise: boolean, rng: Rng) {
    super();
    this.k = k;
    this.depthwise = depthwise;
    this.weight = depthwise
      ? this.param('0.weight', truncNormal([k, k, dim, 1], rng), { torchLayout: 'depthwise' })
      : this.param('0.weight', truncNormal([k, k, inChannels, dim], rng), { torchLayout: 'conv' });
    this.bias = this.param('0.bias', zerosInit([dim]));
    this.lnWeight = this.param('1.weight', onesInit([dim]));
    this.lnBias = this.param('1.bias', zerosInit([dim]));
  }

  /** Stem conv with PyTorch `padding` then LayerNorm. */
  forward(x: tf.Tensor4D, padding: number): tf.Tensor4D {
    return tf.tidy(() => {
      const w = this.weight as tf.Tensor4D;
      const b = this.bias as tf.Tensor1D;
      const h = this.depthwise ? depthwisePatchConv2d(x, w, b, padding) : patchConv2d(x, w, b, padding);
      return layerNorm(h, this.lnWeight as tf.Tensor1D, this.lnBias as tf.Tensor1D, CONVNEXT_LN_EPS) as tf.Tensor4D;
    });
  }
}

/**
 * A downsampling layer between stages: channels-first LayerNorm (`0.weight`, `0.bias`) → 2×2
 * stride-2 conv (`1.weight`, `1.bias`).
 */
export class DownsampleLayer extends Module {
  private readonly lnWeight: tf.Variable;
  private readonly lnBias: tf.Variable;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(inDim: number, outDim: number, rng: Rng) {
    super();
    this.lnWeight = this.param('0.weight', onesInit([inDim]));
    this.lnBias = this.param('0.bias', zerosInit([inDim]));
    this.weight = this.param('1.weight', truncNormal([2, 2, inDim, outDim], rng), { torchLayout: 'conv' });
    this.bias = this.param('1.bias', zerosInit([outDim]));
  }

  /** `[B, H, W, a]` → `[B, ⌊H/2⌋, ⌊W/2⌋, b]`; `visible` zeroes hidden positions before the conv. */
  forward(x: tf.Tensor4D, visible?: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let h = layerNorm(x, this.lnWeight as tf.Tensor1D, this.lnBias as tf.Tensor1D, CONVNEXT_LN_EPS) as tf.Tensor4D;
      if (visible) h = h.mul(visible);
      return patchConv2d(h, this.weight as tf.Tensor4D, this.bias as tf.Tensor1D, 0);
    });
  }
}

/** A LayerNorm's affine parameters (`weight`, `bias`), e.g. the final `norm`. */
export class LayerNormParams extends Module {
  /** Scale `[C]`. */
  readonly weight: tf.Variable;
  /** Shift `[C]`. */
  readonly bias: tf.Variable;

  constructor(dim: number) {
    super();
    this.weight = this.param('weight', onesInit([dim]));
    this.bias = this.param('bias', zerosInit([dim]));
  }

  /** LayerNorm over the last axis (eps 1e-6). */
  forward(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, CONVNEXT_LN_EPS);
  }
}

/** A linear layer (`weight` PyTorch `[out, in]`, `bias`), e.g. the classifier `head`. */
export class LinearLayer extends Module {
  /** `[in, out]` (TF layout). */
  readonly weight: tf.Variable;
  /** `[out]`. */
  readonly bias: tf.Variable;

  constructor(inDim: number, outDim: number, rng: Rng, scale = 1) {
    super();
    this.weight = this.param('weight', tf.tidy(() => truncNormal([inDim, outDim], rng).mul(scale)), { torchLayout: 'linear' });
    this.bias = this.param('bias', zerosInit([outDim]));
  }

  /** `x · W + b` on the last axis. */
  forward(x: tf.Tensor): tf.Tensor {
    return linear(x, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D);
  }
}
