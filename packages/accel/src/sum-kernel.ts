import * as tf from '@tensorflow/tfjs';
import type { NativeSgemm } from './native';
import { nativeOutput, replacementKernel, type AnyBackend, type KernelArgs } from './kernel-support';

/** `[outer, r, inner]` sizes of a float32 sum over `axes`, or undefined where the axes are not one contiguous block. */
export function contiguousReduction(shape: readonly number[], axes: readonly number[]): { outer: number; r: number; inner: number } | undefined {
  if (axes.length === 0) return undefined;
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (last - first + 1 !== sorted.length) return undefined;
  const prod = (from: number, to: number) => shape.slice(from, to).reduce((p, d) => p * d, 1);
  return { outer: prod(0, first), r: prod(first, last + 1), inner: prod(last + 1, shape.length) };
}

/**
 * A `Sum` kernel for `backendName` running the addon's `sumAxes` when the reduced axes form one
 * contiguous block of a float32 tensor (the stock wasm kernel transposes them to the end first);
 * other cases go to `stock`. Results equal the stock wasm kernel's bit for bit (same summation
 * order). `enableAccel` registers it for wasm only: the cpu backend accumulates in float64.
 */
export function makeSumKernel(backendName: string, stock: tf.KernelConfig, addon: Required<Pick<NativeSgemm, 'sumAxes'>>): tf.KernelConfig {
  return replacementKernel(stock, (args: KernelArgs) => {
    const x = args.inputs.x!;
    const attrs = (args.attrs ?? {}) as { axis?: number | number[]; keepDims?: boolean };
    if (x.dtype !== 'float32' || x.shape.length === 0) return stock.kernelFunc(args as never);
    const axes = tf.util.parseAxisParam(attrs.axis ?? [], x.shape);
    const plan = contiguousReduction(x.shape, axes);
    if (!plan) return stock.kernelFunc(args as never);
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return nativeOutput(backendName, args.backend as AnyBackend, outShape, (out, viewOf) => addon.sumAxes(viewOf(x), out, plan.outer, plan.r, plan.inner));
  });
}
