export * from './labels';
export * from './confusion-matrix';
export * from './accuracy';
export * from './macro-f1';
export * from './mean-iou';
export * from './multilabel-f1';
export * from './summary';
