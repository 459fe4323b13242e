import { TerramaeError } from '@terramae/tensors';

/**
 * A misuse of the evaluation tools: labels that do not fit the features, a class with too few
 * samples for the requested folds, a backbone without the feature pyramid a decoder needs, an
 * option out of range. The message names the option, sample or class and says what to change.
 */
export class EvaluationError extends TerramaeError {}
