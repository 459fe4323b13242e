/**
 * The pretext-task plugin API and built-in tasks (MMEarth pixel- and image-level, MAE,
 * NeighborMAE), shared decoders and loss aggregators.
 * @packageDocumentation
 */
export * from './api/index';
