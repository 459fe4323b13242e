// Test-only helpers of @terramae/tensors (not exported from the package).
export * from './numeric';
export * from './grad-check';
export * from './reference-conv';
export * from './hooks';
export * from './reference-math';
