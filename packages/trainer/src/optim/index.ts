export * from './errors';
export * from './named';
export * from './adamw';
export * from './param-groups';
export * from './layer-decay';
export * from './lr-schedule';
export * from './clip-grad-norm';
export * from './grad-accumulator';
