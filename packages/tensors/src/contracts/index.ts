export * from './modality';
export * from './batch';
export * from './encoder';
