/**
 * terramae's benchmark harness (private): training-step workloads, the terramae and PyTorch
 * measurements, and the markdown report. Run it with `npm run bench`.
 * @packageDocumentation
 */
export * from './workloads';
export * from './train-step';
export * from './measure-terramae';
export * from './stats';
export * from './torch';
export * from './loader';
export * from './report';
