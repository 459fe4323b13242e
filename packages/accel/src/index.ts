/**
 * Opt-in fast kernels for terramae on TensorFlow.js: a native SGEMM (AVX-512 / AVX2, chosen at run
 * time) registered as the wasm and cpu backends' matMul kernels, with a clean fallback.
 * @packageDocumentation
 */
export * from './enable-accel';
export { loadNative, type NativeSgemm, type NativeLoadResult } from './native';
