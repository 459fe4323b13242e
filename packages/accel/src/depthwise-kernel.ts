import * as tf from '@tensorflow/tfjs';
import type { NativeSgemm } from './native';
import { nativeOutput, replacementKernel, type AnyBackend, type KernelArgs } from './kernel-support';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface DepthwiseAttrs {
  strides?: number | [number, number];
  pad?: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
}

/**
 * A `DepthwiseConv2dNative` kernel for `backendName` running the addon's `dwconv` (NHWC, channel
 * multiplier 1, float32, any kernel size, stride, dilation and padding); other cases go to `stock`.
 */
export function makeDepthwiseKernel(backendName: string, stock: tf.KernelConfig, addon: Required<Pick<NativeSgemm, 'dwconv'>>): tf.KernelConfig {
  return replacementKernel(stock, (args: KernelArgs) => {
    const x = args.inputs.x!;
    const filter = args.inputs.filter!;
    const attrs = (args.attrs ?? {}) as DepthwiseAttrs;
    const nhwc = (attrs.dataFormat ?? 'NHWC') === 'NHWC';
    if (!nhwc || x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4 || filter.shape[3] !== 1 || filter.shape[2] !== x.shape[3]) {
      return stock.kernelFunc(args as never);
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides ?? 1,
      attrs.dilations ?? 1,
      attrs.pad ?? 'valid',
      attrs.dimRoundingMode,
      true,
    );
    const outShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
    return nativeOutput(backendName, args.backend as AnyBackend, outShape, (out, viewOf) =>
      addon.dwconv(
        viewOf(x),
        viewOf(filter),
        out,
        info.batchSize,
        info.inHeight,
        info.inWidth,
        info.inChannels,
        info.filterHeight,
        info.filterWidth,
        info.outHeight,
        info.outWidth,
        info.strideHeight,
        info.strideWidth,
        info.dilationHeight,
        info.dilationWidth,
        info.padInfo.top,
        info.padInfo.left,
      ),
    );
  });
}
