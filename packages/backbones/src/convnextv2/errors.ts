import { TerramaeError } from '@terramae/tensors';

/** A ConvNeXt V2 configuration that cannot be built (bad depths, dims, patch size, padding, rates). */
export class ConvNeXtV2ConfigError extends TerramaeError {}

/** An input, mask or forward option that does not fit a ConvNeXt V2 model. */
export class ConvNeXtV2InputError extends TerramaeError {}
