import * as tf from '@tensorflow/tfjs';

interface WasmBackendInternals {
  incRef(dataId: object): void;
}

let installed = false;

/**
 * Make the wasm backend's `Identity` and same-dtype `Cast` share their input's buffer instead of
 * copying it, as the cpu backend already does (tfjs tensors are immutable, and the wasm backend
 * counts references per buffer for `Reshape` the same way).
 *
 * This matters for training: tfjs clones (with `Identity`) every tensor an op saves for its
 * gradient, so on stock wasm each saved activation exists twice during the forward pass, and the
 * clone costs a copy. Called by {@link initBackend} whenever it selects wasm; call it yourself if
 * you select the backend with `tf.setBackend('wasm')`. Idempotent; returns false (changing nothing)
 * when the wasm backend's kernels are not registered.
 */
export function shareWasmBuffers(): boolean {
  if (installed) return true;
  const stockIdentity = tf.getKernel('Identity', 'wasm');
  const stockCast = tf.getKernel('Cast', 'wasm');
  if (!stockIdentity || !stockCast) return false;
  const share = (x: tf.TensorInfo, backend: WasmBackendInternals): tf.TensorInfo => {
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      // String tensors live outside the wasm heap; leave them to the stock kernel.
      return x.dtype === 'string' ? stockIdentity.kernelFunc(args) : share(x, args.backend as unknown as WasmBackendInternals);
    },
  });
  tf.unregisterKernel('Cast', 'wasm');
  tf.registerKernel({
    kernelName: 'Cast',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype;
      return x.dtype === dtype && x.dtype !== 'string' ? share(x, args.backend as unknown as WasmBackendInternals) : stockCast.kernelFunc(args);
    },
  });
  installed = true;
  return true;
}
