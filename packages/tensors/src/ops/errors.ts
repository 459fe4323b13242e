import { TerramaeError } from '../backend/errors';

/**
 * An op was called with arguments it cannot work with: mismatched shapes or channel counts, an
 * even kernel where an odd one is needed, an embedding width that is not a multiple of 8, … The
 * message names the op and the offending argument and says what it expected.
 */
export class OpArgumentError extends TerramaeError {}
