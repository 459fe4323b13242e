export * from './stratified-k-fold';
export * from './few-shot-subset';
