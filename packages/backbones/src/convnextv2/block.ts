import * as tf from '@tensorflow/tfjs';
import {
  Module,
  Rng,
  depthwiseConv2d,
  gelu,
  grn,
  layerNorm,
  linear,
  onesInit,
  truncNormal,
  zerosInit,
  type GrnOptions,
} from '@terramae/tensors';
import { dropPath } from '../transformer/drop-path';
import { ConvNeXtV2InputError } from './errors';

/** Options of {@link ConvNeXtV2Block}. */
export interface ConvNeXtV2BlockOptions {
  /** Channels. */
  readonly dim: number;
  /** Stochastic-depth rate of the residual branch (training mode only). Default 0. */
  readonly dropPath?: number;
  /** Generator of the initial weights (truncated normal, std 0.02). Default `new Rng(0)`. */
  readonly rng?: Rng;
  /** Generator of the drop-path draws. Default: a fork of `rng`. */
  readonly dropPathRng?: Rng;
  /**
   * GRN eps when a forward call does not set one: 1e-4 (default) as MMEarth's dense `Block`
   * (`models/norm_layers.py`, used by the FCMAE decoder and the fine-tuning model); upstream
   * ConvNeXt V2 and the sparse encoder use 1e-6.
   */
  readonly grnEps?: number;
}

/** Per-call settings of {@link ConvNeXtV2Block.forward}. */
export interface ConvNeXtV2BlockForwardOptions {
  /** GRN eps of this call (1e-4 in MMEarth's dense layers, 1e-6 in the sparse encoder and upstream). Default: the block's `grnEps`. */
  readonly grnEps?: number;
  /**
   * FCMAE masked mode: `[B, H, W, 1]` float, 1 at visible positions. The depthwise conv input is
   * zeroed at hidden positions and GRN statistics are taken over visible positions only.
   */
  readonly visible?: tf.Tensor4D;
  /** GRN statistics in masked mode (`batch` = MMEarth's sparse GRN). Default `sample`. */
  readonly statistics?: GrnOptions['statistics'];
}

/**
 * One ConvNeXt V2 block, exactly as the original: 7×7 depthwise conv (padding 3) → LayerNorm
 * (eps 1e-6) → Linear d→4d → GELU (erf) → GRN(4d) → Linear 4d→d → drop path → + input. No layer
 * scale. Parameters carry the PyTorch names `dwconv.*`, `norm.*`, `pwconv1.*`, `grn.gamma`,
 * `grn.beta` (`[1,1,1,4d]`), `pwconv2.*`.
 */
export class ConvNeXtV2Block extends Module {
  /** Channels. */
  readonly dim: number;
  /** Stochastic-depth rate. */
  readonly dropPathRate: number;
  /** Default GRN eps. */
  readonly grnEps: number;
  private readonly dropPathRng: Rng;
  private readonly dwWeight: tf.Variable;
  private readonly dwBias: tf.Variable;
  private readonly normWeight: tf.Variable;
  private readonly normBias: tf.Variable;
  private readonly pw1Weight: tf.Variable;
  private readonly pw1Bias: tf.Variable;
  private readonly grnGamma: tf.Variable;
  private readonly grnBeta: tf.Variable;
  private readonly pw2Weight: tf.Variable;
  private readonly pw2Bias: tf.Variable;

  constructor(options: ConvNeXtV2BlockOptions) {
    super();
    const { dim } = options;
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`ConvNeXtV2Block: dim must be a positive integer, got ${dim}`);
    const rng = options.rng ?? new Rng(0);
    this.dim = dim;
    this.dropPathRate = options.dropPath ?? 0;
    this.grnEps = options.grnEps ?? 1e-4;
    this.dropPathRng = options.dropPathRng ?? rng.fork();
    const hidden = 4 * dim;
    this.dwWeight = this.param('dwconv.weight', truncNormal([7, 7, dim, 1], rng), { torchLayout: 'depthwise' });
    this.dwBias = this.param('dwconv.bias', zerosInit([dim]));
    this.normWeight = this.param('norm.weight', onesInit([dim]));
    this.normBias = this.param('norm.bias', zerosInit([dim]));
    this.pw1Weight = this.param('pwconv1.weight', truncNormal([dim, hidden], rng), { torchLayout: 'linear' });
    this.pw1Bias = this.param('pwconv1.bias', zerosInit([hidden]));
    this.grnGamma = this.param('grn.gamma', zerosInit([1, 1, 1, hidden]));
    this.grnBeta = this.param('grn.beta', zerosInit([1, 1, 1, hidden]));
    this.pw2Weight = this.param('pwconv2.weight', truncNormal([hidden, dim], rng), { torchLayout: 'linear' });
    this.pw2Bias = this.param('pwconv2.bias', zerosInit([dim]));
  }

  /** `[B, H, W, dim]` → `[B, H, W, dim]`. */
  forward(x: tf.Tensor4D, options: ConvNeXtV2BlockForwardOptions = {}): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.dim) {
      throw new ConvNeXtV2InputError(`ConvNeXtV2Block: expected an NHWC map with ${this.dim} channels, got shape [${x.shape.join(', ')}].`);
    }
    const hidden = 4 * this.dim;
    return tf.tidy(() => {
      const { visible } = options;
      const input = visible ? x.mul(visible) : x;
      let h = depthwiseConv2d(input as tf.Tensor4D, this.dwWeight as tf.Tensor4D, this.dwBias as tf.Tensor1D);
      h = layerNorm(h, this.normWeight as tf.Tensor1D, this.normBias as tf.Tensor1D, 1e-6) as tf.Tensor4D;
      h = gelu(linear(h, this.pw1Weight as tf.Tensor2D, this.pw1Bias as tf.Tensor1D)) as tf.Tensor4D;
      h = grn(h, this.grnGamma.reshape([hidden]), this.grnBeta.reshape([hidden]), {
        eps: options.grnEps ?? this.grnEps,
        ...(visible ? { visible, statistics: options.statistics ?? 'sample' } : {}),
      });
      let branch = linear(h, this.pw2Weight as tf.Tensor2D, this.pw2Bias as tf.Tensor1D);
      if (this.training && this.dropPathRate > 0) branch = dropPath(branch, this.dropPathRate, this.dropPathRng);
      return x.add(branch) as tf.Tensor4D;
    });
  }
}
