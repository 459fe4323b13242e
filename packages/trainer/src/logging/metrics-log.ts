import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** One line of the metrics log. */
export interface StepRecord {
  readonly step: number;
  readonly epoch: number;
  readonly lr: number;
  readonly loss: number;
  readonly tasks: Readonly<Record<string, number>>;
  readonly extra?: Readonly<Record<string, number>>;
  /** Images (samples × views) per second over the logging window. */
  readonly imagesPerSecond: number;
  readonly seconds: number;
}

/** Appends one JSON object per line (JSONL), the format every plotting tool reads. */
export class JsonlWriter {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }
  /** Append a record. */
  write(record: object): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }
}
