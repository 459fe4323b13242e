export * from './errors';
export * from './init';
export * from './torch-layout';
export * from './module';
