export * from './attention-bias';
export * from './scaled-dot-product-attention';
export * from './attention';
export * from './mlp';
export * from './drop-path';
export * from './block';
