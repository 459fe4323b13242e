import { TerramaeError } from '@terramae/tensors';
import { EXIT_CODES, UsageError } from './errors';

/** How the CLI reports an error: the text for standard error and the exit code. */
export interface ErrorReport {
  readonly text: string;
  readonly exitCode: number;
}

/**
 * Turn an error into what the user sees. A {@link UsageError} prints its message (exit 2); any
 * other `TerramaeError` prints its message, which already names the file, sample or option and
 * says what to do (exit 1); anything else is unexpected and prints a one-line summary with a
 * hint to rerun with `--verbose` (exit 1). With `verbose`, the stack trace (and causes) follow.
 */
export function reportError(error: unknown, verbose: boolean): ErrorReport {
  const err = error instanceof Error ? error : new Error(String(error));
  const usage = err instanceof UsageError;
  const known = err instanceof TerramaeError;
  let text: string;
  if (usage) text = `terramae: ${err.message}`;
  else if (known) text = `terramae: error: ${err.message}`;
  else {
    const firstLine = err.message.split('\n')[0] ?? '';
    text = `terramae: unexpected error: ${err.name}: ${firstLine}${verbose ? '' : '\n(rerun with --verbose for the stack trace)'}`;
  }
  if (verbose) text += `\n${stackOf(err)}`;
  return { text, exitCode: usage ? EXIT_CODES.usage : EXIT_CODES.failure };
}

function stackOf(err: Error): string {
  const lines = [err.stack ?? `${err.name}: ${err.message}`];
  let cause = (err as { cause?: unknown }).cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    lines.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    cause = cause instanceof Error ? (cause as { cause?: unknown }).cause : undefined;
  }
  return lines.join('\n');
}
