import type * as tf from '@tensorflow/tfjs';
import { ModuleError } from './errors';
import {
  convWeightToHwio,
  denseToLinearWeight,
  depthwiseWeightToTf,
  hwioToConvWeight,
  linearWeightToDense,
  matrixToPatchEmbedWeight,
  patchEmbedWeightToMatrix,
  tfToDepthwiseWeight,
} from '../io/layout';

/**
 * How a parameter's TF.js layout relates to the PyTorch tensor of the same name:
 * - `same`: identical (biases, norms, tokens, GRN `[1,1,1,C]`);
 * - `linear`: PyTorch `[out, in]` ↔ TF `[in, out]`;
 * - `conv`: PyTorch `[out, in, kh, kw]` ↔ HWIO `[kh, kw, in, out]`;
 * - `depthwise`: PyTorch `[C, 1, kh, kw]` ↔ `[kh, kw, C, 1]`;
 * - `patch-linear`: PyTorch conv `[D, C, p, p]` ↔ matrix `[p·p·C, D]` over patchified input.
 */
export type TorchLayout = 'same' | 'linear' | 'conv' | 'depthwise' | 'patch-linear';

/** Convert a PyTorch-layout tensor to the TF.js layout of a parameter (shape-checked, see `io/layout`). */
export function fromTorchLayout(x: tf.Tensor, layout: TorchLayout): tf.Tensor {
  switch (layout) {
    case 'same':
      return x.clone();
    case 'linear':
      return linearWeightToDense(x);
    case 'conv':
      return convWeightToHwio(x);
    case 'depthwise':
      return depthwiseWeightToTf(x);
    case 'patch-linear':
      return patchEmbedWeightToMatrix(x);
  }
}

/** Convert a TF.js-layout parameter back to PyTorch layout; `torchShape` is needed for `patch-linear`. */
export function toTorchLayout(x: tf.Tensor, layout: TorchLayout, torchShape?: readonly number[]): tf.Tensor {
  switch (layout) {
    case 'same':
      return x.clone();
    case 'linear':
      return denseToLinearWeight(x);
    case 'conv':
      return hwioToConvWeight(x);
    case 'depthwise':
      return tfToDepthwiseWeight(x);
    case 'patch-linear': {
      if (!torchShape) throw new ModuleError('toTorchLayout(patch-linear) needs the PyTorch shape [D, C, p, p]; pass torchShapeOf(shape, \'patch-linear\', channels)');
      return matrixToPatchEmbedWeight(x, torchShape[2] as number);
    }
  }
}

/**
 * The PyTorch shape of a TF.js-layout shape. `patch-linear` needs the input channel count `C`
 * (the matrix `[p·p·C, D]` becomes `[D, C, p, p]`).
 */
export function torchShapeOf(shape: readonly number[], layout: TorchLayout, channels?: number): number[] {
  switch (layout) {
    case 'same':
      return [...shape];
    case 'linear':
      return [shape[1] as number, shape[0] as number];
    case 'conv':
      return [shape[3] as number, shape[2] as number, shape[0] as number, shape[1] as number];
    case 'depthwise':
      return [shape[2] as number, shape[3] as number, shape[0] as number, shape[1] as number];
    case 'patch-linear': {
      const c = channels ?? 0;
      const p = c > 0 ? Math.round(Math.sqrt((shape[0] as number) / c)) : 0;
      if (shape.length !== 2 || !(Number.isInteger(c) && c > 0) || p * p * c !== shape[0]) {
        throw new ModuleError(`patch-linear shape [${shape}] is not a [p·p·C, D] matrix for C = ${channels}; pass torchChannels = the input channel count`);
      }
      return [shape[1] as number, c, p, p];
    }
    default:
      throw new ModuleError(`Unknown torch layout '${String(layout)}'`);
  }
}
