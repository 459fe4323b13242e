import * as tf from '@tensorflow/tfjs';
import type { NativeSgemm } from './native';
import { view, type AnyBackend } from './tensor-views';

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
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const x = args.inputs.x!;
    const attrs = (args.attrs ?? {}) as { axis?: number | number[]; keepDims?: boolean };
    if (x.dtype !== 'float32' || x.shape.length === 0) return stock.kernelFunc(args as never);
    const axes = tf.util.parseAxisParam(attrs.axis ?? [], x.shape);
    const plan = contiguousReduction(x.shape, axes);
    if (!plan) return stock.kernelFunc(args as never);
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const backend = args.backend as AnyBackend;
    const size = plan.outer * plan.inner;
    if (backendName === 'wasm') {
      const out = backend.makeOutput(outShape, 'float32');
      // Views are taken after makeOutput: allocating may grow (and detach) the wasm heap.
      if (size > 0) addon.sumAxes(view('wasm', backend, x), view('wasm', backend, out), plan.outer, plan.r, plan.inner);
      return out;
    }
    const values = new Float32Array(size);
    if (size > 0) addon.sumAxes(view('cpu', backend, x), values, plan.outer, plan.r, plan.inner);
    return backend.makeTensorInfo(outShape, 'float32', values);
  };
  // Keep the stock setup (the wasm kernels bind their functions there when the backend starts):
  // the fallbacks above call the stock kernel, which needs it.
  return { kernelName: 'Sum', backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc, ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}) };
}
