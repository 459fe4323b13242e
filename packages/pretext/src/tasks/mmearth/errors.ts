import { TerramaeError } from '@terramae/tensors';

/** An MMEarth task met a batch, spec or config it cannot work with; the message names the task and modality. */
export class MMEarthTaskError extends TerramaeError {}
