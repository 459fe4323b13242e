import { TerramaeError } from '@terramae/tensors';

/**
 * Neighbour reconstruction was given data or a configuration it cannot use (not two views per
 * sample, no footprint boxes, an encoder layout it does not support). The message says what to
 * change.
 */
export class NeighborTaskError extends TerramaeError {}
