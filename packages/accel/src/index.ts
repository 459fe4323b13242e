/**
 * Opt-in fast kernels for terramae on TensorFlow.js: a native SGEMM (AVX2/AVX-512) registered for the wasm and cpu backends' matMul kernels, with a clean fallback.
 * @packageDocumentation
 */
export {};
