import { TerramaeError } from '../backend/errors';

/**
 * A module or parameter was defined or converted wrongly: a duplicate name, a `patch-linear`
 * parameter without its channel count, a tensor whose rank does not fit its PyTorch layout. The
 * message names the parameter or layout and says what to pass instead.
 */
export class ModuleError extends TerramaeError {}
