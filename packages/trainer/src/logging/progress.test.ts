import { describe, expect, it } from 'vitest';
import type { StepRecord } from './metrics-log';
import { createProgress, formatDuration, formatLoss, formatLosses } from './progress';

const record = (step: number): StepRecord => ({
  step, epoch: step / 10, lr: 1.5e-4, loss: 0.123456, tasks: { sentinel2: 0.1, dynamic_world: 0.000234 }, imagesPerSecond: 42.26, seconds: 1,
});

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 200, write: (s: string) => chunks.push(s) } };
}

describe('progress display', () => {
  it('formats losses, durations and rates', () => {
    expect(formatLoss(0.123456)).toBe('0.1235');
    expect(formatLoss(0.000234)).toBe('2.34e-4');
    expect(formatLoss(Number.NaN)).toBe('NaN');
    expect(formatLosses(record(1))).toBe('loss 0.1235 | sentinel2 0.1000 dynamic_world 2.34e-4');
    expect(formatDuration(7)).toBe('7s');
    expect(formatDuration(187)).toBe('3m 07s');
    expect(formatDuration(3720)).toBe('1h 02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('prints one plain line per record when the stream is not a TTY, with an ETA from the rate', () => {
    let t = 0;
    const { chunks, stream } = sink(false);
    const p = createProgress({ total: 100, stream, now: () => t, every: 2 });
    expect(p.interactive).toBe(false);
    t = 10_000; // 10 s for 10 steps → 90 s left
    p.onLog(record(10));
    p.onLog(record(20));
    p.onLog(record(100)); // the last one is always printed
    p.stop();
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toBe('[terramae] step 20/100 (20.0%) loss 0.1235 | sentinel2 0.1000 dynamic_world 2.34e-4 | lr 1.50e-4 | 42.3 img/s | ETA 40s\n');
    expect(chunks[1]).toContain('step 100/100 (100.0%)');
    expect(chunks.every((c) => !c.includes('\x1b'))).toBe(true);
  });

  it('draws a cli-progress bar on a TTY with losses, rate and ETA', () => {
    let t = 0;
    const { chunks, stream } = sink(true);
    const p = createProgress({ total: 50, stream, now: () => t, startStep: 10, label: 'mp-mae' });
    expect(p.interactive).toBe(true);
    t = 4000;
    p.onLog(record(20)); // 10 steps in 4 s → 30 steps left = 12 s
    p.stop();
    p.onLog(record(30)); // ignored after stop
    const out = chunks.join('');
    expect(out).toContain('mp-mae');
    expect(out).toContain('20/50');
    expect(out).toContain('loss 0.1235 | sentinel2 0.1000');
    expect(out).toContain('42.3 img/s');
    expect(out).toContain('ETA 12s');
    expect(out).not.toContain('30/50');
  });

  it('rejects a bad total', () => {
    expect(() => createProgress({ total: 0 })).toThrow(/positive integer/);
  });
});
