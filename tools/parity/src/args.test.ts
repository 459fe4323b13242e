import { describe, expect, it } from 'vitest';
import { parseParityArgs } from './args';
import { defaultFixtureDir } from './default-dir';
import { ParityError } from './errors';

describe('parseParityArgs', () => {
  it('reads comma lists and repeated flags', () => {
    const a = parseParityArgs(['--dir', '/x', '--backend', 'cpu', '--backend', 'wasm', '--case', 'a,b', '--kind', 'mae_vit', '--allow-missing']);
    expect(a).toMatchObject({ dir: '/x', backends: ['cpu', 'wasm'], cases: ['a', 'b'], kinds: ['mae_vit'], allowMissing: true, toleranceScale: 1 });
    expect(parseParityArgs([])).toMatchObject({ allowMissing: false, failuresOnly: false, help: false });
    expect(parseParityArgs(['--tolerance-scale', '10']).toleranceScale).toBe(10);
  });
  it('rejects unknown flags and bad numbers with the usage', () => {
    expect(() => parseParityArgs(['--bogus'])).toThrow(ParityError);
    expect(() => parseParityArgs(['--tolerance-scale', 'abc'])).toThrow(/--tolerance-scale must be a positive number/);
  });
  it('finds the default folder from TERRAMAE_SHARED', () => {
    expect(defaultFixtureDir({ TERRAMAE_SHARED: '/definitely/not/here' })).toBeUndefined();
  });
});
