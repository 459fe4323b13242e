import { describe, expect, it } from 'vitest';
import { argsortRow, inversePermutation, roundHalfEven, shuffleFromNoise } from './argsort';

describe('argsort helpers', () => {
  it('sorts ascending and inverts', () => {
    const ids = argsortRow([0.5, 0.1, 0.9, 0.3]);
    expect([...ids]).toEqual([1, 3, 0, 2]);
    expect([...inversePermutation(ids)]).toEqual([2, 0, 3, 1]);
  });
  it('breaks ties by index and handles rows', () => {
    const { idsShuffle, idsRestore } = shuffleFromNoise([1, 1, 0, 0.2, 0.1, 0.3], 2, 3);
    expect([...idsShuffle]).toEqual([2, 0, 1, 1, 0, 2]);
    for (let r = 0; r < 2; r++) for (let i = 0; i < 3; i++) expect(idsShuffle[r * 3 + (idsRestore[r * 3 + i] as number)]).toBe(i);
  });
  it('rounds half to even like torch.round', () => {
    expect([0.5, 1.5, 2.5, 2.4, 2.6, 39.2, 29.4].map(roundHalfEven)).toEqual([0, 2, 2, 2, 3, 39, 29]);
  });
});
