import { TerramaeError } from '../backend/errors';

/**
 * A safetensors file or buffer is malformed (bad header length, unparsable or inconsistent JSON
 * header, offsets out of range or overlapping, truncated data, unknown dtype), or a tensor could
 * not be written or converted. The message names the file (or buffer label) and the tensor.
 */
export class SafetensorsError extends TerramaeError {}

/**
 * A PyTorch `.pth` checkpoint could not be read: not a zip archive (legacy format), no
 * `data.pkl`, an unsupported pickle construct or storage type, missing or short storages, or the
 * requested entry is not a state dict. The message names the file and what to do.
 */
export class PthError extends TerramaeError {}

/** A zip archive is malformed or uses a feature this reader does not implement (encryption, multi-disk, a compression other than STORED/DEFLATE). */
export class ZipError extends TerramaeError {}

/** A tensor handed to a PyTorch <-> TF.js layout converter has the wrong rank or shape. */
export class LayoutError extends TerramaeError {}

/**
 * Raw tensor bytes do not match their dtype and shape, or their values do not fit the type asked
 * for (an int64 beyond the int32 range when making an int32 tf.Tensor, say). Names the tensor.
 */
export class TensorDataError extends TerramaeError {}
