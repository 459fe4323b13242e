import { TerramaeError } from '@terramae/tensors';

/**
 * A decoder received encoder output or masks whose shapes or layout do not fit its configuration
 * (token count, width, views, grid). The message names the decoder and the mismatching input.
 */
export class DecoderInputError extends TerramaeError {}
