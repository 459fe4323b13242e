import { CommanderError } from 'commander';
import { streamIO, type CliContext } from './context';
import { EXIT_CODES } from './errors';
import { createProgram } from './program';
import { reportError } from './report-error';

/** Where {@link run} writes and how it is interrupted. */
export interface RunOptions {
  /** Standard output (default `process.stdout`). */
  readonly stdout?: { write(chunk: string): unknown };
  /** Standard error (default `process.stderr`). */
  readonly stderr?: { write(chunk: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  /** Abort to stop a long command cleanly (the `terramae` binary aborts it on SIGINT). */
  readonly signal?: AbortSignal;
  /** Told whether a command is currently able to stop cleanly through `signal`. */
  readonly onInterruptible?: (on: boolean) => void;
}

/**
 * Run the `terramae` command line with `argv` (without `node` and the script name) and return
 * the exit code: 0 ok, 1 runtime failure, 2 usage error, 130 interrupted. Errors are printed to
 * `stderr`: a terramae error's message, or for an unexpected error a one-line summary (the
 * stack trace with `--verbose`). Never calls `process.exit`.
 *
 * @example
 * ```ts
 * import { run } from '@terramae/cli';
 * const code = await run(['recipes', 'list']);
 * ```
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const verbose = argv.includes('--verbose');
  const ctx: CliContext = {
    io: streamIO(options.stdout ?? process.stdout, options.stderr ?? process.stderr),
    ...(options.signal ? { signal: options.signal } : {}),
    setInterruptible: (on) => options.onInterruptible?.(on),
    verbose,
    exitCode: EXIT_CODES.ok,
  };
  const program = createProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; everything else commander rejects is a usage error (already printed)
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    const report = reportError(error, verbose);
    ctx.io.err(report.text);
    return report.exitCode;
  }
}
