export * from './sizes';
export * from './config';
export * from './errors';
export * from './block';
export * from './visibility';
export * from './convnextv2';
export * from './factories';
export * from './register';
