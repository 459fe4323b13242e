export * from './sum';
export * from './weighted';
export * from './uncertainty';
