export * from './errors';
export * from './config';
export * from './vision-transformer';
export * from './factories';
export * from './register';
