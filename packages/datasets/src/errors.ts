import { TerramaeError } from '@terramae/tensors';

/** Base class of every error `@terramae/datasets` throws. */
export class DatasetError extends TerramaeError {}

/**
 * A file could not be opened or parsed (missing, unreadable, not HDF5/GeoTIFF, missing side file).
 * The message names the file and says what to check.
 */
export class DatasetFileError extends DatasetError {
  /** The file concerned. */
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.file = file;
  }
}

/**
 * Data have the wrong shape or type for what was asked: band count, dtype, tile size, missing
 * georeferencing, unknown modality or band name. The message says what was expected.
 */
export class DatasetFormatError extends DatasetError {}

/** Why a single sample was rejected. */
export type BadSampleReason = 'non-finite-input' | 'read-error' | 'missing-modality' | 'missing-metadata' | 'bad-shape';

/**
 * One sample could not be produced (non-finite input, truncated or corrupt chunk, missing
 * modality). Loaders either rethrow it (`badSamples: 'fail'`) or skip the sample and count it
 * (`badSamples: 'skip'`).
 */
export class BadSampleError extends DatasetError {
  /** Index of the sample in its source. */
  readonly index: number;
  /** The file the sample comes from, when there is one. */
  readonly file: string | undefined;
  /** What was wrong. */
  readonly reason: BadSampleReason;
  /**
   * @param args.location - where the sample is, when `file, sample index` does not say it well
   *   (e.g. a source's own description of an example)
   */
  constructor(
    args: { index: number; file?: string; location?: string; reason: BadSampleReason; detail: string },
    options?: { cause?: unknown },
  ) {
    const where = args.location ?? (args.file ? `${args.file}, sample ${args.index}` : `sample ${args.index}`);
    super(`Bad sample (${args.reason}) at ${where}: ${args.detail}`, options);
    this.index = args.index;
    this.file = args.file;
    this.reason = args.reason;
  }
}
