import { TerramaeError } from '@terramae/tensors';

/** A ViT was configured or called with something that does not fit (the message names the option and the fix). */
export class VitError extends TerramaeError {}
