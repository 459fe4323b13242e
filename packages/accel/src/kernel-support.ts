import type * as tf from '@tensorflow/tfjs';

/** The parts of the wasm and cpu backends the native kernels use (not public tfjs API). */
export type AnyBackend = {
  dataIdMap: { get(id: object): { memoryOffset: number } };
  wasm: { HEAPF32: Float32Array };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  readSync(id: object): Float32Array;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
};

/** A view of a float32 tensor's data on the backend (the wasm heap itself, or the cpu array). */
export function view(backendName: string, backend: AnyBackend, t: tf.TensorInfo): Float32Array {
  const size = t.shape.reduce((p, d) => p * d, 1);
  if (backendName === 'wasm') {
    const offset = backend.dataIdMap.get(t.dataId).memoryOffset >>> 2; // unsigned: offsets pass 2 GiB
    return backend.wasm.HEAPF32.subarray(offset, offset + size);
  }
  // Some cpu kernels keep float32 values in another array type (e.g. a cast's Int32Array): copy those.
  const values = backend.readSync(t.dataId) as ArrayLike<number>;
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/**
 * Make a float32 output of `shape` on the backend and let `fill` write it natively. `fill` gets
 * the output's view and a `view` function for the inputs: on wasm, every view must be taken after
 * the output is allocated, because allocating may grow (and detach) the wasm heap.
 */
export function nativeOutput(
  backendName: string,
  backend: AnyBackend,
  shape: number[],
  fill: (out: Float32Array, viewOf: (t: tf.TensorInfo) => Float32Array) => void,
): tf.TensorInfo {
  const size = shape.reduce((p, d) => p * d, 1);
  const viewOf = (t: tf.TensorInfo) => view(backendName, backend, t);
  if (backendName === 'wasm') {
    const out = backend.makeOutput(shape, 'float32');
    if (size > 0) fill(viewOf(out), viewOf);
    return out;
  }
  const values = new Float32Array(size);
  if (size > 0) fill(values, viewOf);
  return backend.makeTensorInfo(shape, 'float32', values);
}

/** The signature tfjs calls a kernel with. */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/**
 * A kernel config replacing `stock`, keeping its setup function: the wasm kernels bind their
 * functions there when the backend starts, and the native kernels hand uncovered cases to `stock`.
 */
export function replacementKernel(stock: tf.KernelConfig, kernelFunc: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]): tf.KernelConfig {
  return {
    kernelName: stock.kernelName,
    backendName: stock.backendName,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}),
  };
}
