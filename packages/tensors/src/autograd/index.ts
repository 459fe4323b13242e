export { GradientError } from './errors';
export { leanVariableGrads, leanGradsSupported, type VariableGrads } from './lean-grads';
export { measurePeakMemory, type PeakMemory } from './peak-memory';
