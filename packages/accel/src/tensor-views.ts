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
