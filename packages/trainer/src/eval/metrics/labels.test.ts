import { describe, expect, it } from 'vitest';
import { checkSameLength, inferNumClasses } from './labels';

describe('label helpers', () => {
  it('infers the class count or checks the given one', () => {
    expect(inferNumClasses('x', undefined, [0, 2], [1])).toBe(3);
    expect(inferNumClasses('x', 5, [0])).toBe(5);
    expect(() => inferNumClasses('where', 0, [0])).toThrow(/where: numClasses must be a positive integer/);
    expect(() => inferNumClasses('where', undefined, [])).toThrow(/pass numClasses/);
  });
  it('checks lengths', () => {
    expect(() => checkSameLength([1], [1, 2], 'metric')).toThrow(/metric: predictions has 1 entries but targets has 2/);
  });
});
