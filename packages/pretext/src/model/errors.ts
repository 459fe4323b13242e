import { TerramaeError } from '@terramae/tensors';

/** A batch or mask handed to the composite model does not fit how it was built. */
export class PretrainingInputError extends TerramaeError {}
