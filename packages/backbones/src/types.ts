import type * as tf from '@tensorflow/tfjs';
import type { EncoderOutput, Module } from '@terramae/tensors';

/** Options of a backbone's masked forward pass. */
export interface MaskedForwardOptions {
  /**
   * Grid backbones (ConvNeXt V2 / FCMAE): `[B, L]` over the patch grid, 1 = hidden. The encoder
   * then behaves as the sparse original (masked positions zeroed before every spatial op, GRN
   * statistics over visible positions, output zero at masked cells).
   */
  readonly mask?: tf.Tensor2D;
  /** Token backbones (ViT / MAE): indices of the patches to encode, `[B*, K]` int32 (first K of the shuffle). */
  readonly idsKeep?: tf.Tensor2D;
  /** Token backbones: `[B*, K]`, 1 = the token is disabled as an attention key (NeighborMAE's adaptive ratio). */
  readonly keyMask?: tf.Tensor2D;
  /** Views per sample; `x` is then `[B*views, H, W, C]`, view-major within a sample. Default 1. */
  readonly views?: number;
  /** `[B, views, 4]` footprint boxes (normalised to the pair's frame) for box positional embeddings. */
  readonly boxes?: tf.Tensor3D;
}

/** Pooled features and, on request, the per-stage pyramid for dense heads. */
export interface BackboneFeatures {
  /** `[B, dim]` pooled (and normed) features. */
  readonly pooled: tf.Tensor2D;
  /** NHWC feature maps from the stem to the last stage (grid backbones only). */
  readonly pyramid?: readonly tf.Tensor4D[];
}

/** What every registered backbone implements. */
export interface Backbone extends Module {
  /** `grid` (NHWC feature map) or `tokens` (`[B, n, D]`). */
  readonly layout: 'grid' | 'tokens';
  /** Width of the encoder output. */
  readonly dim: number;
  /** Input pixels per output cell / token along one side. */
  readonly patchSize: number;
  /** Input channels. */
  readonly inChannels: number;
  /** Output grid for an input of `[height, width]`. */
  outputGrid(height: number, width: number): [number, number];
  /** Encoder forward, dense or masked. */
  forward(x: tf.Tensor4D, options?: MaskedForwardOptions): EncoderOutput;
  /** Downstream features (no masking). */
  forwardFeatures(x: tf.Tensor4D, options?: { pyramid?: boolean }): BackboneFeatures;
}

/** Paper, license and size facts of a registered backbone. */
export interface BackboneMetadata {
  readonly family: 'convnextv2' | 'vit' | string;
  readonly paper: string;
  readonly license: string;
  /** Trainable parameter count at the reference configuration (see `referenceConfig`). */
  readonly parameterCount?: number;
  /** The configuration the parameter count refers to (e.g. 12 input bands, patch 8). */
  readonly referenceConfig?: Readonly<Record<string, unknown>>;
  readonly source?: string;
}
