/** Where a command writes: `out` for results, `err` for progress, logs and errors. */
export interface CliIO {
  /** Write one line (a newline is added) of results to standard output. */
  out(line: string): void;
  /** Write one line (a newline is added) of progress, logs or errors to standard error. */
  err(line: string): void;
  /** Standard error as a stream, for live progress bars (which draw only when it is a terminal). */
  readonly errStream: { write(chunk: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
}

/** What every command receives besides its options. */
export interface CliContext {
  readonly io: CliIO;
  /** Aborted when the user interrupts (SIGINT); long commands stop cleanly. */
  readonly signal?: AbortSignal;
  /**
   * Tell the caller whether an interrupt should be delivered through {@link CliContext.signal}
   * (`true` while a command can stop cleanly, e.g. the pretraining loop) or end the process at once.
   */
  readonly setInterruptible: (on: boolean) => void;
  /** Print stack traces and extra detail. */
  readonly verbose: boolean;
  /** Exit code the command asks for (default 0). */
  exitCode: number;
}

/** A {@link CliIO} over two writable streams (process.stdout / process.stderr by default). */
export function streamIO(
  stdout: { write(chunk: string): unknown } = process.stdout,
  stderr: { write(chunk: string): unknown; readonly isTTY?: boolean; readonly columns?: number } = process.stderr,
): CliIO {
  return {
    out: (line) => void stdout.write(`${line}\n`),
    err: (line) => void stderr.write(`${line}\n`),
    errStream: stderr,
  };
}
