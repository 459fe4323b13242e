/**
 * Masking strategies for masked autoencoders (MAE, FCMAE, NeighborMAE IoU-adaptive, block) as
 * pure, seeded functions.
 * @packageDocumentation
 */
export * from './types';
