import { TerramaeError } from '@terramae/tensors';

/**
 * A problem with a parity fixture folder or a run: a missing or malformed `manifest.json`, a case
 * without its file or tolerance, an unknown case/kind/backend asked for on the command line.
 * The message names the file, case or option and says what to fix.
 */
export class ParityError extends TerramaeError {}
