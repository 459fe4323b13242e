/**
 * Tensors for terramae: backend selection, gradient-safe ops, modules and parameters, seeded RNG,
 * safetensors and PyTorch checkpoint IO, and the data contracts every package speaks.
 * @packageDocumentation
 */
export * from './contracts/index';
export * from './backend/errors';
export * from './backend/init-backend';
export * from './backend/wasm-buffer-sharing';
export * from './util/rng';
export * from './ops/index';
export * from './autograd/index';
export * from './nn/index';
export * from './io/index';
export * from './util/global-registry';
