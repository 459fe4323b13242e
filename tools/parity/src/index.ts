/**
 * Parity runner: compares terramae's TF.js implementations with the PyTorch reference fixtures
 * (`manifest.json` + one `.safetensors` per case). Private workspace tool.
 * @packageDocumentation
 */
export * from './errors';
export * from './manifest';
export * from './compare';
export * from './dont-care';
export * from './exact-tensors';
export * from './fixture';
export * from './registry';
export * from './runner';
export * from './table';
export * from './args';
export * from './default-dir';
