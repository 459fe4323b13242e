export * from './errors';
export * from './mmearth-sparse';
export * from './load-mmearth';
