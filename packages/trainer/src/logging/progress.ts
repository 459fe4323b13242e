import cliProgress from 'cli-progress';
import type { StepRecord } from './metrics-log';

/** A stream the progress display writes to (`process.stdout` by default). */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Options of {@link ProgressDisplay}. */
export interface ProgressOptions {
  /** Total optimiser steps of the run. */
  readonly total: number;
  /** Step the run starts from (a resumed run), for the rate and ETA. Default 0. */
  readonly startStep?: number;
  /** Where to write. Default `process.stdout`. */
  readonly stream?: ProgressStream;
  /** Draw a live bar (`true`) or print one line per record (`false`). Default: whether the stream is a TTY. */
  readonly tty?: boolean;
  /** Prefix of every line. Default `terramae`. */
  readonly label?: string;
  /** Plain mode: print every N-th record (and always the last). Default 1. */
  readonly every?: number;
  /** Clock in milliseconds (for tests). Default `performance.now`. */
  readonly now?: () => number;
}

/** `1h 02m`, `3m 07s`, `12s`; `?` while unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A loss for display: 4 significant digits (exponent form below 1e-3). */
export function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toPrecision(4);
}

/** `loss 0.1234 | sentinel2 0.1000 dw 0.0200` */
export function formatLosses(record: StepRecord): string {
  const tasks = Object.entries(record.tasks).map(([k, v]) => `${k} ${formatLoss(v)}`);
  return `loss ${formatLoss(record.loss)}${tasks.length ? ` | ${tasks.join(' ')}` : ''}`;
}

/**
 * The run's progress from the training loop's log records (`pretrain({ log: { onLog: progress.onLog } })`):
 * a live `cli-progress` bar with the total and per-task losses, learning rate, images per second
 * and ETA when the stream is a terminal; plain one-line logs otherwise (CI, files, pipes), so logs
 * stay readable where cursor movement is not. Call {@link ProgressDisplay.stop} at the end.
 */
export class ProgressDisplay {
  private readonly options: ProgressOptions;
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly started: number;
  private bar: cliProgress.SingleBar | undefined;
  private records = 0;
  private stopped = false;

  constructor(options: ProgressOptions) {
    if (!(Number.isInteger(options.total) && options.total > 0)) throw new RangeError(`ProgressDisplay: total must be a positive integer, got ${options.total}`);
    this.options = options;
    this.stream = options.stream ?? process.stdout;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** Whether the live bar is used. */
  get interactive(): boolean {
    return this.tty;
  }

  /** Seconds left at the rate since the start (undefined before the first step). */
  eta(step: number): number | undefined {
    const done = step - (this.options.startStep ?? 0);
    const elapsed = (this.now() - this.started) / 1000;
    if (done <= 0 || elapsed <= 0) return undefined;
    return ((this.options.total - step) * elapsed) / done;
  }

  /** The text of one record (without the bar). */
  line(record: StepRecord): string {
    const { total } = this.options;
    const pct = ((100 * record.step) / total).toFixed(1);
    return (
      `[${this.options.label ?? 'terramae'}] step ${record.step}/${total} (${pct}%) ${formatLosses(record)} | ` +
      `lr ${record.lr.toExponential(2)} | ${record.imagesPerSecond.toFixed(1)} img/s | ETA ${formatDuration(this.eta(record.step) ?? Number.NaN)}`
    );
  }

  /** Feed a log record (bound: pass it as `onLog` directly). */
  readonly onLog = (record: StepRecord): void => {
    if (this.stopped) return;
    this.records++;
    if (!this.tty) {
      const every = this.options.every ?? 1;
      if (this.records % every === 0 || record.step >= this.options.total) this.stream.write(`${this.line(record)}\n`);
      return;
    }
    const payload = {
      losses: formatLosses(record),
      lr: record.lr.toExponential(2),
      ips: record.imagesPerSecond.toFixed(1),
      etaText: formatDuration(this.eta(record.step) ?? Number.NaN),
    };
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `${this.options.label ?? 'terramae'} {bar} {value}/{total} | {losses} | lr {lr} | {ips} img/s | ETA {etaText}`,
          stream: this.stream as NodeJS.WritableStream,
          hideCursor: false,
          clearOnComplete: false,
          barsize: 24,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.options.total, record.step, payload);
    } else {
      this.bar.update(record.step, payload);
    }
  };

  /** Finish the bar (a final render and newline); further records are ignored. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bar?.stop();
  }
}

/** A {@link ProgressDisplay} for a run of `total` steps. */
export function createProgress(options: ProgressOptions): ProgressDisplay {
  return new ProgressDisplay(options);
}
