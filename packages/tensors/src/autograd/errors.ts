import { TerramaeError } from '../backend/errors';

/**
 * Gradients could not be computed: the loss function returned something other than a scalar, the
 * loss does not depend on any of the variables, an op on the path has no gradient function or
 * returned a gradient of the wrong shape or dtype, or the engine lacks what a tool here reads.
 * The message names the function or op and what it expected.
 */
export class GradientError extends TerramaeError {}
