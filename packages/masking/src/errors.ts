import { TerramaeError } from '@terramae/tensors';

/**
 * A masking strategy was configured or called with values it cannot work with. The message names
 * the strategy, the option (or request field) and what to change.
 */
export class MaskingOptionError extends TerramaeError {
  constructor(
    /** Registry name of the strategy that rejected the value. */
    readonly strategy: string,
    /** The option or request field at fault (e.g. `ratio`, `request.boxes`). */
    readonly option: string,
    message: string,
  ) {
    super(`masking strategy '${strategy}': ${option}: ${message}`);
  }
}
