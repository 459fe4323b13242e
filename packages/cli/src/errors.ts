import { TerramaeError } from '@terramae/tensors';

/**
 * The command line was wrong: an unknown option value, a missing argument, a file of the wrong
 * kind. The CLI prints the message and exits with code 2 ({@link EXIT_CODES.usage}).
 */
export class UsageError extends TerramaeError {}

/** Exit codes of the `terramae` command. */
export const EXIT_CODES = {
  /** Success. */
  ok: 0,
  /** A runtime failure (bad data, a failed step, an unreadable file). */
  failure: 1,
  /** A usage error (unknown command or option, invalid value). */
  usage: 2,
  /** Interrupted by SIGINT (after saving a checkpoint where there was one to save). */
  interrupted: 130,
} as const;
