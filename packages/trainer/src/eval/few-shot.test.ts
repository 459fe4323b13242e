import { useBackend } from '@terramae/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { fewShotEvaluate } from './few-shot';
import { confusionTotal } from './metrics/confusion-matrix';
import { gaussianBlobs } from './__tests__/gaussian-blobs';

describe('fewShotEvaluate', () => {
  beforeAll(() => useBackend('cpu'));

  it('repeats over seeds with the requested subset size', async () => {
    const train = gaussianBlobs(60, 3, 4, 4, 1);
    const test = gaussianBlobs(30, 3, 4, 4, 2);
    const r = await fewShotEvaluate(train, test, { size: { perClass: 2 }, seeds: [3, 4, 5], method: 'knn' });
    expect(r.runs.map((x) => x.seed)).toEqual([3, 4, 5]);
    expect(r.runs.every((x) => x.trainSize === 6 && confusionTotal(x.confusion) === 30)).toBe(true);
    expect(r.accuracy.values).toHaveLength(3);
    expect(r.accuracy.mean).toBeGreaterThanOrEqual(r.accuracy.min);
    const frac = await fewShotEvaluate(train, test, { size: { fraction: 0.5 }, seeds: 2 });
    expect(frac.runs.map((x) => x.trainSize)).toEqual([30, 30]);
    await expect(fewShotEvaluate(train, test, { size: { perClass: 1 }, seeds: [] })).rejects.toThrow(/seeds is empty/);
  });
});
