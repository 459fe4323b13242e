import { describe, expect, it } from 'vitest';
import { confusionMatrix } from './confusion-matrix';
import { meanIoU, meanIoUFromConfusion, perClassIoU } from './mean-iou';

describe('meanIoU', () => {
  it('matches the hand computation', () => {
    const T = [0, 0, 1, 1, 2, 2];
    const P = [0, 1, 1, 1, 2, 0];
    // IoU: 1/3, 2/3, 1/2
    expect(Array.from(perClassIoU(confusionMatrix(P, T)))).toEqual([1 / 3, 2 / 3, 1 / 2].map((v) => expect.closeTo(v, 12)));
    expect(meanIoU(P, T)).toBeCloseTo(0.5, 12);
  });
  it('skips the ignore label and absent classes', () => {
    // ignored pixels would otherwise be errors; class 3 never appears.
    const T = [0, -1, 1, -1];
    const P = [0, 1, 1, 0];
    expect(meanIoU(P, T, { ignoreIndex: -1, numClasses: 4 })).toBe(1);
    expect(meanIoU(P, T, { ignoreIndex: -1, numClasses: 4, absent: 'zero' })).toBe(0.5);
    expect(meanIoUFromConfusion(confusionMatrix([], [], { numClasses: 2 }))).toBe(0);
  });
});
