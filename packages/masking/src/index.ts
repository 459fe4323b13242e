/**
 * Masking strategies for masked autoencoders (MAE, FCMAE, NeighborMAE IoU-adaptive, block) as
 * pure, seeded functions.
 * @packageDocumentation
 */
export * from './types';
export * from './errors';
export * from './argsort';
export * from './mask-sample';
export * from './random';
export * from './fcmae';
export * from './iou';
export * from './neighbor-adaptive';
export * from './block';
export * from './visibility';
export * from './registry';
