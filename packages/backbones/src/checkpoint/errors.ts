import { TerramaeError } from '@terramae/tensors';

/** A checkpoint whose keys or shapes cannot be converted to the dense ConvNeXt V2 layout. */
export class CheckpointConversionError extends TerramaeError {}
