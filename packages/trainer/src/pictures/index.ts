export * from './errors';
export * from './rgb-image';
export * from './bitmap-font';
export * from './stretch';
export * from './palette';
export * from './panel';
export * from './reconstruction-grid';
export * from './reconstruction-rows';
