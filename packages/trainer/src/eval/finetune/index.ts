export * from './cross-entropy';
export * from './classification-head';
export * from './backbone-layer-decay';
export * from './supervised-loop';
export * from './fine-tune';
