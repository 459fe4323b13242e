import { TerramaeError } from '@terramae/tensors';

/** A picture that cannot be drawn: a shape that is not an image, a band that is missing, a mask that does not fit. */
export class PictureError extends TerramaeError {}
