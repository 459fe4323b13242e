import * as tf from '@tensorflow/tfjs';

/**
 * How a parameter's TF.js layout relates to the PyTorch tensor of the same name:
 * - `same`: identical (biases, norms, tokens, GRN `[1,1,1,C]`);
 * - `linear`: PyTorch `[out, in]` ↔ TF `[in, out]`;
 * - `conv`: PyTorch `[out, in, kh, kw]` ↔ HWIO `[kh, kw, in, out]`;
 * - `depthwise`: PyTorch `[C, 1, kh, kw]` ↔ `[kh, kw, C, 1]`;
 * - `patch-linear`: PyTorch conv `[D, C, p, p]` ↔ matrix `[p·p·C, D]` over patchified input.
 */
export type TorchLayout = 'same' | 'linear' | 'conv' | 'depthwise' | 'patch-linear';

/** Convert a PyTorch-layout tensor to the TF.js layout of a parameter. */
export function fromTorchLayout(x: tf.Tensor, layout: TorchLayout): tf.Tensor {
  return tf.tidy(() => {
    switch (layout) {
      case 'same':
        return x.clone();
      case 'linear':
        return x.transpose([1, 0]);
      case 'conv':
        return x.transpose([2, 3, 1, 0]);
      case 'depthwise':
        return x.transpose([2, 3, 0, 1]);
      case 'patch-linear': {
        const [d, c, p, q] = x.shape as [number, number, number, number];
        return x.transpose([2, 3, 1, 0]).reshape([p * q * c, d]);
      }
    }
  });
}

/** Convert a TF.js-layout parameter back to PyTorch layout; `torchShape` is needed for `patch-linear`. */
export function toTorchLayout(x: tf.Tensor, layout: TorchLayout, torchShape?: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    switch (layout) {
      case 'same':
        return x.clone();
      case 'linear':
        return x.transpose([1, 0]);
      case 'conv':
        return x.transpose([3, 2, 0, 1]);
      case 'depthwise':
        return x.transpose([2, 3, 0, 1]);
      case 'patch-linear': {
        if (!torchShape) throw new Error('toTorchLayout(patch-linear) needs the PyTorch shape [D, C, p, p]');
        const [d, c, p, q] = torchShape as [number, number, number, number];
        return x.reshape([p, q, c, d]).transpose([3, 2, 0, 1]);
      }
    }
  });
}

/** The PyTorch shape of a TF.js-layout shape. */
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
      const p = Math.round(Math.sqrt((shape[0] as number) / c));
      return [shape[1] as number, c, p, p];
    }
  }
}
