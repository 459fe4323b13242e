import { TerramaeError } from '@terramae/tensors';

/**
 * MAE reconstruction was given data or a configuration it cannot use (a grid encoder, a target
 * that is not a pixel modality of the input's size). The message says what to change.
 */
export class MaeTaskError extends TerramaeError {}
