import { TerramaeError } from '@terramae/tensors';

/**
 * A misuse of the optimiser, its parameter groups, schedules or gradient helpers: an unknown or
 * mis-shaped gradient, a parameter listed twice, a checkpoint state that does not fit the
 * parameters, or an invalid hyper-parameter. The message names the parameter or option and says
 * what to change.
 */
export class OptimizerError extends TerramaeError {}
